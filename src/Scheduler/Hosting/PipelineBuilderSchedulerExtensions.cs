using System.Reflection;
using Pipeline.Client.Hosting;

namespace Pipeline.Scheduler;

/// <summary>Adds the scheduler to the registration root: <c>services.AddPipeline(configuration).AddScheduler()</c>.</summary>
public static class PipelineBuilderSchedulerExtensions
{
    /// <summary>
    /// Adds the scheduler service, as <see cref="SchedulerServiceCollectionExtensions.AddPipelineScheduler"/> does, for the
    /// schedules of <paramref name="apps"/> (or, when null, of the assemblies named in <c>Pipeline:Scheduler:Apps</c>).
    /// Safe to call twice: the first call wins.
    /// </summary>
    /// <param name="builder">The builder from <c>AddPipeline</c>.</param>
    /// <param name="apps">The app assemblies; null to load them from configuration.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder AddScheduler(this PipelineBuilder builder, IEnumerable<Assembly>? apps = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddPart("scheduler"))
        {
            builder.Services.AddPipelineScheduler(builder.Configuration, apps);
        }

        return builder;
    }
}
