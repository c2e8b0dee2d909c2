using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.Consumers.Discovery;
using Pipeline.Observability;
using Pipeline.RabbitMq;
using Pipeline.Results;
using Pipeline.WorkerHost.Hosting;
using Pipeline.WorkerHost.Metrics;
using Pipeline.WorkerHost.Pools;
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
        // PoolReconciler is registered as a hosted service: look for it as one (the service type is IHostedService).
        if (services.Any(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(PoolReconciler)))
        {
            return services;
        }

        var worker = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        var rabbit = configuration.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        var retries = configuration.GetSection(RetryOptions.Section).Get<RetryOptions>() ?? new RetryOptions();
        var problems = worker.Validate().Concat(rabbit.Validate()).Concat(retries.Validate()).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid settings: " + string.Join(" ", problems));
        }

        services.Configure<WorkerOptions>(configuration.GetSection(WorkerOptions.Section));
        services.Configure<RabbitMqOptions>(configuration.GetSection(RabbitMqOptions.SectionName));
        // Spawned calls' results go to PostgreSQL when it is configured, so any process can get them by id.
        var results = configuration.GetSection(PostgresResultStoreOptions.SectionName).Get<PostgresResultStoreOptions>() ?? new PostgresResultStoreOptions();
        if (results.ConnectionString is { Length: > 0 } || Environment.GetEnvironmentVariable(PostgresResultStoreOptions.EnvironmentVariable) is { Length: > 0 })
        {
            // A restart or saturation of PostgreSQL makes inputs wait for it (StoreOutage), never fail or dead-letter.
            services.AddSingleton<StoreOutage>();
            services.AddSingleton(sp => new PostgresResultStore(results, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresResultStore>>()));
            services.AddSingleton<IResultStore>(sp => new ResilientResultStore(sp.GetRequiredService<PostgresResultStore>(), sp.GetRequiredService<StoreOutage>()));

            // pipeline pools scale writes a pool's autoscaler settings there; the reconciler reads them each tick.
            services.AddSingleton(sp => new PoolScalingStore(sp.GetRequiredService<PostgresResultStore>().DataSource, results.Schema));

            // Retry delays live in the same database, so a retry survives every process restarting; Hangfire takes its
            // connections from the results store's pool, so the whole process holds at most that pool's size.
            services.AddSingleton(sp => new RetryServer(sp, sp.GetRequiredService<PostgresResultStore>().DataSource, retries, sp.GetRequiredService<ILogger<RetryServer>>()));
            services.AddSingleton<IRetryScheduler>(sp => new DurableRetryScheduler(sp.GetRequiredService<RetryServer>().Jobs, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StoreOutage>()));
        }
        else
        {
            // Without PostgreSQL a retry's delay is kept in this process's memory, outside the consumer: the failed input
            // is acknowledged and the pool takes other input meanwhile.
            services.AddSingleton<MemoryRetryScheduler>();
            services.AddSingleton<IRetryScheduler>(sp => sp.GetRequiredService<MemoryRetryScheduler>());
        }

        services.AddPipelineWorker(appAssemblies ?? AppAssemblyLoader.Load(worker.Apps, $"{WorkerOptions.Section}:Apps"));
        var registry = (AppRegistry)services.Last(s => s.ServiceType == typeof(AppRegistry)).ImplementationInstance!;
        if (ConsumerTimeoutCheck.Problems(registry, rabbit.ConsumerTimeout) is { Count: > 0 } tooLong)
        {
            throw new AppDefinitionException(tooLong);
        }

        if (BatchingCheck.Problems(registry, rabbit.ConsumerTimeout) is { Count: > 0 } unfit)
        {
            throw new AppDefinitionException(unfit);
        }

        // The apps' code can take IPipelineClient to call other functions; it connects on its first call, stores spawned
        // calls in this host's results store, and each call names the call it was made from as its parent.
        services.AddPipeline(configuration).AddClient(sp => sp.GetRequiredService<AppRegistry>().Manifests, sp => sp.GetRequiredService<IResultStore>());
        services.AddSingleton<IValidateOptions<RabbitMqOptions>, WorkerStartupChecks>();
        services.AddOptions<RabbitMqOptions>().ValidateOnStart();

        services.AddSingleton<BrokerTopology>();
        services.AddSingleton<IReplyAddressCheck, RabbitMqReplyAddresses>();
        services.AddSingleton<ManagementApi>();
        services.AddSingleton<IPoolTransport, RabbitMqPoolTransport>();
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
        if (services.Any(s => s.ServiceType == typeof(RetryServer)))
        {
            services.AddHostedService(sp => sp.GetRequiredService<RetryServer>());
        }

        services.AddHostedService<WorkerHostedService>();
        services.AddHostedService<PoolReconciler>();
        services.AddHostedService<ShutdownSignals>();

        // Probes: ready while the bus is connected; OTLP export of traces and metrics when configured.
        var health = services.AddPipelineHealth(configuration).AddCheck<WorkerReadiness>(WorkerReadiness.Name, tags: ["ready"]);
        health.AddCheck<StuckAttemptsCheck>(StuckAttemptsCheck.Name, tags: ["ready"]);
        if (services.Any(s => s.ServiceType == typeof(StoreOutage)))
        {
            health.AddCheck<StoreReadiness>(StoreReadiness.Name, tags: ["ready"]);
        }

        // Gauges of backlog, in-flight, containers and slots, served at /metrics beside the probes (AddPipelineHealth).
        services.AddSingleton<PoolBacklog>();
        services.AddSingleton<WorkerMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkerMetrics>());
        services.AddPipelineTelemetry(configuration);
        services.Configure<HostOptions>(host => host.ShutdownTimeout = worker.ExitGracePeriod + TimeSpan.FromSeconds(15));
        return services;
    }
}
