using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pipeline.Client.Hosting;
using Pipeline.Results;
using Pipeline.Scheduler.Hosting;
using Pipeline.Scheduler.Store;
using Quartz;

namespace Pipeline.Scheduler.Tests.Store;

/// <summary>
/// One PostgreSQL pool per process: the scheduler's Quartz store, its start-up lock and the results store all take
/// their connections from the one <see cref="NpgsqlDataSource"/> registered in the container.
/// </summary>
public sealed class SharedDataSourceTests
{
    [Fact]
    public async Task AddScheduler_StoreInTheResultsDatabase_QuartzAndResultsUseTheRegisteredDataSourceOnly()
    {
        await using var store = await TestStore.CreateAsync();
        var tag = Guid.NewGuid().ToString("N")[..10];
        var configured = new NpgsqlConnectionStringBuilder(TestStore.ConnectionString) { ApplicationName = "cfg-" + tag }.ConnectionString;
        var registered = new NpgsqlConnectionStringBuilder(TestStore.ConnectionString) { ApplicationName = "ds-" + tag, MaxPoolSize = 5 }.ConnectionString;
        var services = new ServiceCollection().AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        // The process's data source, as the container gives it: Quartz and the results store must both draw from it.
        await using var dataSource = NpgsqlDataSource.Create(registered);
        services.AddSingleton(dataSource);
        services.AddPipeline(Configuration(store, configured)).AddScheduler([]);
        await using var provider = services.BuildServiceProvider();

        Assert.Same(dataSource, provider.GetRequiredService<StoreConnections>().DataSource);
        var scheduler = await provider.GetRequiredService<ScheduleRuntime>().SchedulerAsync(CancellationToken.None);
        try
        {
            Assert.Null(await scheduler.GetTrigger(new TriggerKey("absent-" + tag), CancellationToken.None));
            await provider.GetRequiredService<IResultStore>().RegisterAsync("shared-" + tag, CancellationToken.None);

            Assert.InRange(await store.ScalarAsync($"select count(*) from pg_stat_activity where application_name = 'ds-{tag}'"), 1, 5);
            Assert.Equal(0, await store.ScalarAsync($"select count(*) from pg_stat_activity where application_name = 'cfg-{tag}'"));
        }
        finally
        {
            await scheduler.Shutdown();
        }
    }

    [Fact]
    public async Task AddScheduler_SameDatabase_ResolvesOneDataSourceForEveryUser()
    {
        await using var store = await TestStore.CreateAsync();
        var services = new ServiceCollection().AddLogging();
        services.AddPipeline(Configuration(store, TestStore.ConnectionString)).AddScheduler([]).AddScheduler([]);
        await using var provider = services.BuildServiceProvider();

        var shared = provider.GetRequiredService<NpgsqlDataSource>();

        Assert.Same(shared, provider.GetRequiredService<StoreConnections>().DataSource);
        Assert.Same(shared, Assert.IsType<PostgresResultStore>(provider.GetRequiredService<IResultStore>()).DataSource);
        Assert.Single(services, s => s.ServiceType == typeof(NpgsqlDataSource) && !s.IsKeyedService);
    }

    [Fact]
    public async Task AddScheduler_StoreInAnotherDatabase_OpensADataSourceOfItsOwn()
    {
        await using var store = await TestStore.CreateAsync();
        var other = new NpgsqlConnectionStringBuilder(TestStore.ConnectionString) { ApplicationName = "other-store" }.ConnectionString;
        var configuration = new ConfigurationBuilder().AddConfiguration(Configuration(store, TestStore.ConnectionString))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:Scheduler:ConnectionString"] = other }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPipeline(configuration).AddScheduler([]);
        await using var provider = services.BuildServiceProvider();

        Assert.NotSame(provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<StoreConnections>().DataSource);
    }

    private static IConfiguration Configuration(TestStore store, string connectionString) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@127.0.0.1:1/",
        ["Pipeline:Results:ConnectionString"] = connectionString,
        ["Pipeline:Results:Schema"] = store.Schema,
        ["Pipeline:Scheduler:ConnectionString"] = connectionString,
        ["Pipeline:Scheduler:Schema"] = store.Schema,
        ["Pipeline:Scheduler:ClusterName"] = store.Cluster,
    }).Build();
}
