using Microsoft.Extensions.DependencyInjection;
using Pipeline.Client;
using Pipeline.Consumers.Discovery;
using Pipeline.Results;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;

namespace Pipeline.Scheduler.Hosting;

/// <summary>
/// The schedules of an embedded pipeline: its apps' <c>[Schedule]</c> attributes, fired by Quartz's in-memory store
/// through the embedded client. With no schedule, Quartz never starts.
/// </summary>
internal static class EmbeddedSchedules
{
    /// <summary>Registers the runtime; call after the worker registered the <see cref="AppRegistry"/>.</summary>
    /// <param name="services">The embedded pipeline's services.</param>
    /// <param name="enabled">False registers no schedule (the runtime is still there, empty).</param>
    /// <param name="client">The embedded client, built after the services.</param>
    public static void Register(IServiceCollection services, bool enabled, Func<PipelineClient> client)
    {
        var registry = (AppRegistry)services.Last(s => s.ServiceType == typeof(AppRegistry)).ImplementationInstance!;
        var schedules = enabled ? ScheduleReader.Read(registry, null) : new ScheduleSet([]);
        services.AddSingleton<IScheduleDispatcher>(sp => new ClientDispatcher(client, sp.GetRequiredService<IResultStore>()));
        services.AddScheduleRuntime(new SchedulerOptions { InMemory = true, ClusterName = "pipeline-embedded", PollInterval = TimeSpan.FromSeconds(1) }, schedules);
    }
}
