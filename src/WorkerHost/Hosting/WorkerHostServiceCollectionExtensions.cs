using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Client.Hosting;
using Pipeline.Consumers.Discovery;
using Pipeline.Observability;
using Pipeline.RabbitMq;
using Pipeline.Results;
using Pipeline.WorkerHost.Hosting;
using Pipeline.WorkerHost.Metrics;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Processes;
using Pipeline.WorkerHost.RabbitMq;
using Pipeline.WorkerHost.Retries;
using Pipeline.WorkerHost.Store;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Replies;

namespace Pipeline.WorkerHost;

/// <summary>Registers a whole worker host on RabbitMQ: the generic host's <c>Program</c> and apps that host themselves call this.</summary>
public static class WorkerHostServiceCollectionExtensions
{
    internal const string NoticeQueuePrefix = "pipeline.host.";

    /// <summary>
    /// Adds a worker host serving <paramref name="appAssemblies"/> (or, when null, the assemblies named in
    /// <c>Pipeline:Worker:Apps</c>) over the RabbitMQ in <c>Pipeline:RabbitMq</c> (or env <c>PIPELINE_RABBITMQ</c>).
    /// Safe to call twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration holding the <c>Pipeline</c> section.</param>
    /// <param name="appAssemblies">The app assemblies; null to load them from configuration.</param>
    /// <returns>The services.</returns>
    /// <exception cref="AppDefinitionException">An app's attributes are wrong.</exception>
    /// <exception cref="InvalidOperationException">A setting is wrong; the message names the key.</exception>
    public static IServiceCollection AddPipelineWorkerHost(this IServiceCollection services, IConfiguration configuration, IEnumerable<Assembly>? appAssemblies = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // WorkerHostedService is registered as a hosted service: look for it as one (the service type is IHostedService).
        if (services.Any(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(WorkerHostedService)))
        {
            return services;
        }

        // Set by a worker host on the process containers it starts: serve this one pool, as a child of that host.
        var container = ContainerProcess.FromEnvironment();

        // Only the app list is read here: it decides what is registered. Every other setting is an option, bound from
        // configuration and checked when the host starts (ValidateOnStart), so a value set from code with
        // services.Configure<T>(...) is the one used and the one checked.
        var pipeline = services.AddPipeline(configuration);
        configuration = pipeline.Configuration;
        var worker = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section));
        services.AddOptions<RetryOptions>().Bind(configuration.GetSection(RetryOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetryOptions>, RetryOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<HostOptions>, ShutdownTimeout>());

        // Spawned calls' results go to PostgreSQL when the options in effect name one, so any process can get them by
        // id; a restart or saturation of PostgreSQL then makes inputs wait for it (StoreOutage), never fail or dead-letter.
        services.AddSingleton<StoreOutage>();
        services.AddPipelineDataSource();
        services.AddSingleton(sp => new PostgresResultStore(
            sp.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value, sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresResultStore>>()));
        services.AddSingleton<IResultStore>(sp => IsDurable(sp)
            ? new ResilientResultStore(sp.GetRequiredService<PostgresResultStore>(), sp.GetRequiredService<StoreOutage>())
            : new InMemoryResultStore(sp.GetRequiredService<TimeProvider>()));

        // pipeline pools scale writes a pool's autoscaler settings there; the reconciler reads them each tick (it takes
        // the store as optional: null without PostgreSQL).
        services.AddSingleton(sp => IsDurable(sp)
            ? new PoolScalingStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value.Schema)
            : null!);

        // Retry delays live in the same database, so a retry survives every process restarting; Hangfire takes its
        // connections from the process's one data source, as the results store does, so the whole process holds at most
        // that pool's size. Without PostgreSQL a retry's delay is kept in this process's memory, outside the consumer:
        // the failed input is acknowledged and the pool takes other input meanwhile.
        services.AddSingleton(sp => new RetryServer(sp, sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IOptions<RetryOptions>>().Value, sp.GetRequiredService<ILogger<RetryServer>>()));
        services.AddSingleton<MemoryRetryScheduler>();
        services.AddSingleton<IRetryScheduler>(sp => IsDurable(sp)
            ? new DurableRetryScheduler(sp.GetRequiredService<RetryServer>().Jobs, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StoreOutage>())
            : sp.GetRequiredService<MemoryRetryScheduler>());

        services.AddPipelineWorker(appAssemblies ?? AppAssemblyLoader.Load(worker.Apps, $"{WorkerOptions.Section}:Apps"));
        // The apps' code can take IPipelineClient to call other functions; it connects on its first call, stores spawned
        // calls in this host's results store, and each call names the call it was made from as its parent.
        pipeline.AddClient(sp => sp.GetRequiredService<AppRegistry>().Manifests, sp => sp.GetRequiredService<IResultStore>());
        services.AddSingleton<IValidateOptions<RabbitMqOptions>, WorkerStartupChecks>();
        services.AddOptions<RabbitMqOptions>().ValidateOnStart();

        services.AddSingleton<BrokerTopology>();
        services.AddSingleton<IReplyAddressCheck, RabbitMqReplyAddresses>();
        services.AddSingleton<ManagementApi>();
        if (container is null)
        {
            services.AddSingleton<IPoolTransport, RabbitMqPoolTransport>();
            services.AddSingleton<ProcessContainers>();
        }
        else
        {
            // The child serves its pool in process, and its host holds the pool's MaxContainers lease.
            services.AddSingleton(container);
            services.AddSingleton<RabbitMqPoolTransport>();
            services.AddSingleton<IPoolTransport>(sp => new ChildPoolTransport(sp.GetRequiredService<RabbitMqPoolTransport>()));
            services.PostConfigure<WorkerOptions>(o => o.Isolation = ContainerIsolation.InProcess);
        }

        services.AddSingleton<PoolEndpointObserver>();
        services.AddReceiveEndpointObserver(sp => sp.GetRequiredService<PoolEndpointObserver>());
        services.AddMassTransit(bus =>
        {
            // A self-hosted host contacts only the servers it is configured with: no usage report (app and queue
            // names) to masstransit.io, which MassTransit 8 sends by default.
            bus.DisableUsageTelemetry();
            bus.AddConsumer<PoolDemandedConsumer>();
            bus.AddConsumer<CancelInvocationConsumer>();
            bus.UsingRabbitMq((context, transport) =>
            {
                var settings = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                transport.UseBroker(settings);

                // MassTransit copies an endpoint's queue arguments to its _error and _skipped queues; the pool-only ones
                // (quorum delivery limit, dead-letter target) must not follow, or RabbitMQ refuses the redeclare.
                transport.SendTopology.ConfigureErrorSettings = settings =>
                {
                    foreach (var key in PoolQueueArguments.PoolOnly)
                    {
                        settings.SetQueueArgument(key, null);
                    }
                };
                transport.SendTopology.ConfigureDeadLetterSettings = settings =>
                {
                    foreach (var key in PoolQueueArguments.PoolOnly)
                    {
                        settings.SetQueueArgument(key, null);
                    }
                };

                // A valid envelope of another message type goes to <queue>_error too (MT-Reason: dead-letter), not _skipped.
                transport.SendTopology.DeadLetterQueueNameFormatter = new ErrorQueueDeadLetterFormatter();

                // Each host hears every pool notice on its own exclusive queue, which vanishes with the host.
                transport.ReceiveEndpoint($"{NoticeQueuePrefix}{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}", endpoint =>
                {
                    endpoint.Durable = false;
                    endpoint.AutoDelete = true;
                    endpoint.Exclusive = true;
                    endpoint.ConfigureConsumer<PoolDemandedConsumer>(context);
                    endpoint.ConfigureConsumer<CancelInvocationConsumer>(context);
                });
            });
        });

        // Registered after MassTransit: hosted services stop in reverse order, so pools stop before the bus does.
        // A process container schedules retries through the client alone; its host's server delivers them.
        if (container is null)
        {
            services.AddHostedService<DurableRetries>();
        }

        services.AddHostedService<WorkerHostedService>();
        if (container is null)
        {
            services.AddHostedService<PoolReconciler>();
        }
        else
        {
            services.AddHostedService<ContainerProcessService>();
        }

        services.AddHostedService<ShutdownSignals>();

        // Probes: ready while the bus is connected; OTLP export of traces and metrics when configured.
        var health = services.AddPipelineHealth(configuration).AddCheck<WorkerReadiness>(WorkerReadiness.Name, tags: ["ready"]);
        health.AddCheck<StuckAttemptsCheck>(StuckAttemptsCheck.Name, tags: ["ready"]);
        health.AddCheck<StoreReadiness>(StoreReadiness.Name, tags: ["ready"]);

        // Gauges of backlog, in-flight, containers and slots, served at /metrics beside the probes (AddPipelineHealth).
        services.AddSingleton<PoolBacklog>();
        services.AddSingleton<WorkerMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkerMetrics>());
        services.AddPipelineTelemetry(configuration);
        return services;
    }

    private static bool IsDurable(IServiceProvider services) =>
        PipelineServiceCollectionExtensions.IsDurable(services.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value);

    private sealed class RetryOptionsValidator : IValidateOptions<RetryOptions>
    {
        public ValidateOptionsResult Validate(string? name, RetryOptions options) =>
            options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
