using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Client.Hosting;
using Pipeline.Consumers.Discovery;
using Pipeline.Observability;
using Pipeline.RabbitMq;
using Pipeline.Results;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Pipeline.Scheduler.Hosting;
using Pipeline.Scheduler.Store;
using Quartz;

namespace Pipeline.Scheduler;

/// <summary>Registers the scheduler service: the generic scheduler's <c>Program</c> and apps that schedule their own functions call this.</summary>
public static class SchedulerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the scheduler service for the schedules of <paramref name="appAssemblies"/> (or, when null, of the assemblies
    /// named in <c>Pipeline:Scheduler:Apps</c>) and of <c>Pipeline:Scheduler:Schedules</c>. It fires through RabbitMQ
    /// (<c>Pipeline:RabbitMq</c>), reads call states from <c>Pipeline:Results</c>, and keeps the schedules in the clustered
    /// store in PostgreSQL (<c>Pipeline:Scheduler</c>). Registers <see cref="ScheduleBook"/>. Safe to call twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration holding the <c>Pipeline</c> section.</param>
    /// <param name="appAssemblies">The app assemblies; null to load them from configuration.</param>
    /// <returns>The services.</returns>
    /// <exception cref="AppDefinitionException">An app's attributes are wrong.</exception>
    /// <exception cref="ScheduleDefinitionException">A schedule is wrong; the message names the schedule, the field and the fix.</exception>
    /// <exception cref="InvalidOperationException">A setting is wrong; the message names the key.</exception>
    public static IServiceCollection AddPipelineScheduler(this IServiceCollection services, IConfiguration configuration, IEnumerable<Assembly>? appAssemblies = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(s => s.ServiceType == typeof(ScheduleSet)))
        {
            return services;
        }

        configuration = configuration.WithPipelineEnvironment();
        var options = new SchedulerOptions();
        configuration.GetSection(SchedulerOptions.SectionName).Bind(options);
        var rabbit = configuration.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        var results = configuration.GetSection(PostgresResultStoreOptions.SectionName).Get<PostgresResultStoreOptions>() ?? new PostgresResultStoreOptions();
        var problems = options.Validate().Concat(rabbit.Validate()).Concat(results.Validate()).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid settings: " + string.Join(" ", problems));
        }

        var registry = AppDiscovery.Discover(appAssemblies ?? AppAssemblyLoader.Load(options.Apps, SchedulerOptions.SectionName + ":Apps"));
        var schedules = ScheduleReader.Read(registry, configuration);
        // One PostgreSQL pool for the process: the results store, the client's reads and (when it is the same database)
        // Quartz's clustered store all take their connections from the one data source.
        services.AddOptions<PostgresResultStoreOptions>().Bind(configuration.GetSection(PostgresResultStoreOptions.SectionName));
        services.AddPipelineDataSource();
        services.AddSingleton<IResultStore>(sp => new PostgresResultStore(
            sp.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value, sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresResultStore>>()));
        services.AddSingleton(sp => new ServiceConnection(rabbit, registry.Manifests, sp.GetRequiredService<IResultStore>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IScheduleDispatcher>(sp =>
        {
            var connection = sp.GetRequiredService<ServiceConnection>();
            return new ClientDispatcher(() => connection.Client, sp.GetRequiredService<IResultStore>());
        });
        services.AddScheduleRuntime(options, schedules, sharesProcessDataSource: options.EffectiveConnectionString == results.EffectiveConnectionString);
        services.AddHostedService<SchedulerHostedService>();

        // Probes on Pipeline:Health: ready while connected to the broker; served until everything else has stopped.
        services.AddPipelineHealth(configuration).AddCheck<SchedulerReadiness>(SchedulerReadiness.Name, tags: ["ready"]);
        return services;
    }

    /// <summary>The runtime both the service and the embedded mode use; the caller registers the <see cref="IScheduleDispatcher"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The scheduler's settings.</param>
    /// <param name="schedules">The schedules.</param>
    /// <param name="sharesProcessDataSource">
    /// Whether the store is in the results' database, so Quartz takes its connections from the process's one
    /// <see cref="NpgsqlDataSource"/> (registered by the caller); else the scheduler opens a data source of its own.
    /// </param>
    internal static IServiceCollection AddScheduleRuntime(this IServiceCollection services, SchedulerOptions options, ScheduleSet schedules, bool sharesProcessDataSource = false)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (!options.InMemory && !sharesProcessDataSource)
        {
            services.AddKeyedSingleton(StoreConnections.OwnDataSourceKey, (_, _) => NpgsqlDataSource.Create(options.EffectiveConnectionString));
        }

        services.AddSingleton(sp => new StoreConnections(
            options.InMemory ? null
            : sharesProcessDataSource ? sp.GetRequiredService<NpgsqlDataSource>()
            : sp.GetRequiredKeyedService<NpgsqlDataSource>(StoreConnections.OwnDataSourceKey)));
        services.AddSingleton(schedules);
        services.AddSingleton(options);
        services.AddSingleton(sp => new ScheduleFirer(
            schedules, sp.GetRequiredService<IScheduleDispatcher>(), sp.GetRequiredService<TimeProvider>(), options.MisfireThreshold, sp.GetRequiredService<ILogger<ScheduleFirer>>()));
        services.AddSingleton<ScheduleRuntime>();
        services.AddSingleton(sp => new ScheduleBook(schedules, sp.GetRequiredService<ScheduleRuntime>(), sp.GetRequiredService<TimeProvider>()));
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = options.ClusterName;
                scheduler.InstanceId = options.InstanceId is { Length: > 0 } id
                    ? id
                    : $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
                scheduler.IdleWaitTime = options.PollInterval;
            });
            if (options.InMemory)
            {
                quartz.UseInMemoryStore(store => store.MisfireThreshold = options.MisfireThreshold);
                return;
            }

            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(source => source.DataSourceFactory = sp => sp.GetRequiredService<StoreConnections>().DataSource);
                store.UseClustering(cluster =>
                {
                    cluster.CheckinInterval = options.CheckinInterval;
                    cluster.CheckinMisfireThreshold = options.CheckinInterval;
                });
                store.ProvisionSchema();
                store.ConfigureStore(ado =>
                {
                    // Job data is kept as name/value text: nothing read back from the store is deserialized into a type.
                    ado.StoreJobDataAsStrings = true;
                    ado.TablePrefix = StoreSchema.TablePrefix(options);
                    ado.MisfireThreshold = options.MisfireThreshold;
                });
            });
        });
        return services;
    }
}
