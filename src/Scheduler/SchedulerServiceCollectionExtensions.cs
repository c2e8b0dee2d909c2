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

        // Only the app paths are read here (discovery needs them to find the schedules); every other setting is bound
        // with the Options pattern and checked when the host starts, so a value set from code
        // (services.Configure<SchedulerOptions>(...)) reaches the same checks as appsettings and PIPELINE_* do.
        var apps = configuration.GetSection(SchedulerOptions.SectionName + ":Apps").Get<string[]>() ?? [];
        var registry = AppDiscovery.Discover(appAssemblies ?? AppAssemblyLoader.Load(apps, SchedulerOptions.SectionName + ":Apps"));
        var schedules = ScheduleReader.Read(registry, configuration);
        services.AddOptions<SchedulerOptions>().Bind(configuration.GetSection(SchedulerOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>());
        services.AddOptions<RabbitMqOptions>().Bind(configuration.GetSection(RabbitMqOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RabbitMqOptions>, RabbitMqOptionsValidator>());
        services.AddOptions<PostgresResultStoreOptions>().Bind(configuration.GetSection(PostgresResultStoreOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresResultStoreOptions>, SchedulerOptionsValidator>());

        // One PostgreSQL pool for the process: the results store, the client's reads and (when it is the same database)
        // Quartz's clustered store all take their connections from the one data source.
        services.AddPipelineDataSource();
        services.AddSingleton<IResultStore>(sp => new PostgresResultStore(
            sp.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value, sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PostgresResultStore>>()));
        services.AddSingleton(sp => new ServiceConnection(
            sp.GetRequiredService<IOptions<RabbitMqOptions>>().Value, registry.Manifests, sp.GetRequiredService<IResultStore>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IScheduleDispatcher>(sp =>
        {
            var connection = sp.GetRequiredService<ServiceConnection>();
            return new ClientDispatcher(() => connection.Client, sp.GetRequiredService<IResultStore>());
        });
        services.AddScheduleRuntime(schedules, inMemory: false, sharesResultsDataSource: true);
        services.AddHostedService<SchedulerHostedService>();

        // Probes on Pipeline:Health: ready while connected to the broker; served until everything else has stopped.
        services.AddPipelineHealth(configuration).AddCheck<SchedulerReadiness>(SchedulerReadiness.Name, tags: ["ready"]);
        return services;
    }

    /// <summary>The runtime on fixed settings (the embedded mode's, and tests'); the caller registers the <see cref="IScheduleDispatcher"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The scheduler's settings.</param>
    /// <param name="schedules">The schedules.</param>
    internal static IServiceCollection AddScheduleRuntime(this IServiceCollection services, SchedulerOptions options, ScheduleSet schedules)
    {
        services.AddSingleton(Options.Create(options));
        return services.AddScheduleRuntime(schedules, options.InMemory, sharesResultsDataSource: false);
    }

    /// <summary>The runtime the service and the embedded mode share, on the <see cref="SchedulerOptions"/> in effect.</summary>
    /// <param name="services">The services.</param>
    /// <param name="schedules">The schedules.</param>
    /// <param name="inMemory">Quartz's in-memory store (the embedded mode) instead of the clustered store in PostgreSQL.</param>
    /// <param name="sharesResultsDataSource">
    /// Whether Quartz takes its connections from the process's one <see cref="NpgsqlDataSource"/> (registered by the
    /// caller) when the store is in the results' database; else, and when it is elsewhere, the scheduler opens a data
    /// source of its own.
    /// </param>
    private static IServiceCollection AddScheduleRuntime(this IServiceCollection services, ScheduleSet schedules, bool inMemory, bool sharesResultsDataSource)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (!inMemory)
        {
            services.AddKeyedSingleton(StoreConnections.OwnDataSourceKey, (sp, _) => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.EffectiveConnectionString));
        }

        services.AddSingleton(sp =>
        {
            if (inMemory)
            {
                return new StoreConnections(null);
            }

            var options = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value;
            var shares = sharesResultsDataSource
                && options.EffectiveConnectionString == sp.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value.EffectiveConnectionString;
            return new StoreConnections(shares ? sp.GetRequiredService<NpgsqlDataSource>() : sp.GetRequiredKeyedService<NpgsqlDataSource>(StoreConnections.OwnDataSourceKey));
        });
        services.AddSingleton(schedules);
        services.AddSingleton(sp => new ScheduleFirer(
            schedules,
            sp.GetRequiredService<IScheduleDispatcher>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.MisfireThreshold,
            sp.GetRequiredService<ILogger<ScheduleFirer>>()));
        services.AddSingleton<ScheduleRuntime>();
        services.AddSingleton(sp => new ScheduleBook(schedules, sp.GetRequiredService<ScheduleRuntime>(), sp.GetRequiredService<TimeProvider>()));

        // Only the store's kind is chosen here; names, intervals, thresholds and the table prefix come from the options
        // in effect when Quartz is built (QuartzSettings), so they are the validated SchedulerOptions, however set.
        services.AddQuartz(quartz =>
        {
            if (inMemory)
            {
                quartz.UseInMemoryStore();
                return;
            }

            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(source => source.DataSourceFactory = sp => sp.GetRequiredService<StoreConnections>().DataSource);
                store.UseClustering();
                store.ProvisionSchema();
            });
        });
        services.AddSingleton<IConfigureOptions<QuartzSchedulerOptions>, QuartzSettings>();
        services.AddSingleton<IConfigureOptions<InMemoryJobStoreOptions>, QuartzSettings>();
        services.AddSingleton<IConfigureOptions<AdoJobStoreOptions>, QuartzSettings>();
        services.AddSingleton<IConfigureOptions<ClusteringOptions>, QuartzSettings>();
        return services;
    }
}
