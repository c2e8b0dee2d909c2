using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.Consumers.Invocations;
using Pipeline.Results;
using Pipeline.WorkerHost.Retries;
using Pipeline.WorkerHost.Store;

namespace Pipeline.WorkerHost.Tests.Hosting;

/// <summary>
/// A worker host's PostgreSQL choice, retry options and shutdown timeout are options: what code sets with
/// <c>Configure&lt;T&gt;</c> is what the host uses and what the start-up checks check.
/// </summary>
public sealed class WorkerHostOptionsTests
{
    [Fact]
    public async Task ResultsConnectionStringSetFromCode_TheHostKeepsResultsInPostgres()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPipeline(Configuration()).AddWorkerHost([]);
        services.Configure<PostgresResultStoreOptions>(o => o.ConnectionString = "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d");
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<ResilientResultStore>(provider.GetRequiredService<IResultStore>());
    }

    [Fact]
    public void NoPostgres_TheHostKeepsResultsAndRetryDelaysInMemory()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPipeline(Configuration()).AddWorkerHost([]);
        using var host = builder.Build();

        Assert.IsType<InMemoryResultStore>(host.Services.GetRequiredService<IResultStore>());
        Assert.IsType<MemoryRetryScheduler>(host.Services.GetRequiredService<IRetryScheduler>());
    }

    [Fact]
    public void ExitGracePeriodSetFromCode_SetsTheShutdownTimeout()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPipeline(Configuration()).AddWorkerHost([]);
        services.Configure<WorkerOptions>(o => o.ExitGracePeriod = TimeSpan.FromSeconds(40));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(55), provider.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Fact]
    public async Task StartAsync_RetryOptionSetFromCodeOutOfRange_StopsTheStartNamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPipeline(Configuration()).AddWorkerHost([]);
        builder.Services.Configure<RetryOptions>(o => o.Workers = 0);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Pipeline:Retries:Workers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BadRetryOptionInConfiguration_StopsTheStartNamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPipeline(Configuration(("Pipeline:Retries:PollInterval", "00:00:00.001"))).AddWorkerHost([]);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Pipeline:Retries:PollInterval", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Pipeline:Worker:DetectGpus"] = "false",

            // Empty wins over PIPELINE_POSTGRES, which CI sets: these hosts have no PostgreSQL unless the test gives one.
            ["Pipeline:Results:ConnectionString"] = "",
        };
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}
