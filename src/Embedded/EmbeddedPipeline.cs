using System.Reflection;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Client;
using Pipeline.Client.Targets;
using Pipeline.Client.Transport;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Replies;
using Pipeline.Consumers.Discovery;
using Pipeline.Results;
using Pipeline.Scheduler;
using Pipeline.Scheduler.Hosting;
using Pipeline.WorkerHost;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.Embedded;

/// <summary>
/// A whole pipeline in one process, with no servers: the worker host, the client and the results store over
/// MassTransit's in-memory transport, running the same consumer path as a RabbitMQ deployment.
/// <code>
/// await using var pipeline = await EmbeddedPipeline.StartAsync([typeof(Model).Assembly]);
/// var text = await pipeline.Client.Cls("inference", "Model").With(new { name = "llama" }).Method("generate").RemoteAsync&lt;string&gt;(["hi"]);
/// </code>
/// Disposing stops it: in-flight inputs finish, then every container's <c>exit</c> runs within the grace period.
/// </summary>
public sealed class EmbeddedPipeline : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IBusControl _bus;
    private readonly PoolManager _pools;
    private readonly ScheduleRuntime _schedules;
    private int _stopped;

    /// <summary>The pipeline's services, for tests.</summary>
    internal IServiceProvider Services => _services;

    private EmbeddedPipeline(ServiceProvider services)
    {
        _services = services;
        _bus = services.GetRequiredService<IBusControl>();
        _pools = services.GetRequiredService<PoolManager>();
        _schedules = services.GetRequiredService<ScheduleRuntime>();
        Schedules = services.GetRequiredService<ScheduleBook>();
        Client = services.GetRequiredService<PipelineClient>();
    }

    /// <summary>The client for calling the apps.</summary>
    public PipelineClient Client { get; }

    /// <summary>The apps' <c>[Schedule]</c>s, fired in this process while it runs (unless <see cref="EmbeddedOptions.Schedules"/> is off): list them, see their next fire times, fire one now.</summary>
    public ScheduleBook Schedules { get; }

    /// <summary>Discovers the apps, then starts the in-memory bus and the worker.</summary>
    /// <param name="appAssemblies">The assemblies holding [App] functions and classes.</param>
    /// <param name="configure">Changes the settings.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <exception cref="AppDefinitionException">The apps' attributes are wrong; the message lists every problem.</exception>
    public static async Task<EmbeddedPipeline> StartAsync(IEnumerable<Assembly> appAssemblies, Action<EmbeddedOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new EmbeddedOptions();
        configure?.Invoke(options);

        // On a laptop a GPU function runs on the CPU, as Modal's local runs do.
        options.Worker.IgnoreGpus = true;
        var services = new ServiceCollection();
        services.AddLogging(logging => options.Logging?.Invoke(logging));
        services.AddSingleton(options.Time);
        services.AddSingleton(Options.Create(options.Worker));
        services.AddPipelineWorker(appAssemblies);

        // The same client the caller gets is injectable into the apps' classes, so a function can call others.
        services.AddSingleton(sp => new PipelineClient(
            new InProcessTransport(new MassTransitTransport(sp.GetRequiredService<IBusControl>()), sp.GetRequiredService<PoolManager>(), sp.GetRequiredService<CallCancellations>()),
            new ManifestCatalog(sp.GetRequiredService<AppRegistry>().Manifests),
            sp.GetRequiredService<IResultStore>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IPipelineClient>(sp => sp.GetRequiredService<PipelineClient>());
        EmbeddedPipeline? pipeline = null;
        EmbeddedSchedules.Register(services, options.Schedules, () => pipeline!.Client);
        services.AddSingleton<IPoolTransport>(sp => new MassTransitPoolTransport(sp.GetRequiredService<IReceiveEndpointConnector>(), sp.GetRequiredService<ReplySender>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddMassTransit(bus =>
        {
            // Nothing leaves the laptop: no usage report to masstransit.io.
            bus.DisableUsageTelemetry();
            bus.UsingInMemory((_, _) => { });
        });

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        pipeline = new EmbeddedPipeline(provider);
        await pipeline._bus.StartAsync(cancellationToken).ConfigureAwait(false);
        await pipeline._schedules.StartAsync(cancellationToken).ConfigureAwait(false);
        return pipeline;
    }

    /// <summary>Stops: in-flight inputs finish, then each container's <c>exit</c> runs once, within the grace period.</summary>
    /// <param name="cancellationToken">Stops waiting for in-flight inputs.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _schedules.StopAsync(cancellationToken).ConfigureAwait(false);
        await _pools.StopAsync(cancellationToken).ConfigureAwait(false);
        await _bus.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
