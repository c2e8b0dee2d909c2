using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Hosting;
using Pipeline.Scheduler.Tests.Store;
using Quartz;

namespace Pipeline.Scheduler.Tests;

/// <summary>
/// The scheduler's settings on the Options pattern: a value set from code (<c>Configure&lt;SchedulerOptions&gt;</c>)
/// reaches the same start-up checks as configuration, and is the value Quartz runs with. The failing starts stop at
/// the checks, before anything connects, so they need no server.
/// </summary>
public sealed class SchedulerServiceCollectionExtensionsTests
{
    public static TheoryData<string, Action<SchedulerOptions>?, string?, string> BadValues() => new()
    {
        // case, a change from code, a bad value in configuration (key=value), the key the message must name
        { "misfire threshold from code", o => o.MisfireThreshold = TimeSpan.Zero, null, "Pipeline:Scheduler:MisfireThreshold" },
        { "schema from code", o => o.Schema = "pg_nope", null, "Pipeline:Scheduler:Schema" },
        { "poll interval from code", o => o.PollInterval = TimeSpan.FromHours(1), null, "Pipeline:Scheduler:PollInterval" },
        { "misfire threshold from configuration", null, "Pipeline:Scheduler:MisfireThreshold=00:00:00", "Pipeline:Scheduler:MisfireThreshold" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task Start_BadValueFromCodeOrConfiguration_FailsWithOneLineNamingTheKey(string @case, Action<SchedulerOptions>? fromCode, string? inConfiguration, string key)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = Configuration(inConfiguration) });
        builder.Logging.ClearProviders();
        builder.Services.AddPipeline(builder.Configuration).AddScheduler([]);
        if (fromCode is not null)
        {
            builder.Services.Configure(fromCode);
        }

        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(timeout.Token));

        Assert.True(StartupFailure.IsDefinitionError(failure), $"{@case}: {failure}");
        using var error = new StringWriter();
        Assert.Equal(StartupFailure.ExitCode, await StartupFailure.ReportAsync(failure, error));
        var line = Assert.Single(error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("The scheduler did not start.", line, StringComparison.Ordinal);
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(line, System.Text.RegularExpressions.Regex.Escape(key)));
    }

    [Fact]
    public async Task AddScheduler_GoodValuesFromCode_AreWhatQuartzRunsWith()
    {
        await using var store = await TestStore.CreateAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var services = new ServiceCollection().AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddPipeline(Configuration($"Pipeline:Scheduler:Schema={store.Schema}")).AddScheduler([]);
        services.Configure<SchedulerOptions>(o =>
        {
            o.ClusterName = "from-code-" + tag;
            o.InstanceId = "node-" + tag;
            o.MisfireThreshold = TimeSpan.FromSeconds(42);
            o.CheckinInterval = TimeSpan.FromSeconds(7);
        });
        await using var provider = services.BuildServiceProvider();

        var scheduler = await provider.GetRequiredService<ScheduleRuntime>().SchedulerAsync(CancellationToken.None);
        try
        {
            Assert.Equal(("from-code-" + tag, "node-" + tag), (scheduler.SchedulerName, scheduler.SchedulerInstanceId));
            Assert.Equal(TimeSpan.FromSeconds(42), provider.GetRequiredService<IOptions<AdoJobStoreOptions>>().Value.MisfireThreshold);
            Assert.Equal(TimeSpan.FromSeconds(7), provider.GetRequiredService<IOptions<ClusteringOptions>>().Value.CheckinInterval);
            Assert.Equal($"\"{store.Schema}\".qrtz_", provider.GetRequiredService<IOptions<AdoJobStoreOptions>>().Value.TablePrefix);
        }
        finally
        {
            await scheduler.Shutdown();
        }
    }

    [Fact]
    public void AddScheduler_Twice_RegistersOnce()
    {
        var services = new ServiceCollection();
        var pipeline = services.AddPipeline(Configuration(null));

        pipeline.AddScheduler([]).AddScheduler([]);
        services.AddPipelineScheduler(pipeline.Configuration, []);

        Assert.Single(services, s => s.ServiceType == typeof(ScheduleSet));
        Assert.Single(services, s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(SchedulerHostedService));
        Assert.Single(services, s => s.ServiceType == typeof(IConfigureOptions<QuartzSchedulerOptions>) && s.ImplementationType == typeof(QuartzSettings));
        Assert.Single(services, s => s.ServiceType == typeof(IValidateOptions<SchedulerOptions>));
    }

    private static ConfigurationManager Configuration(string? setting)
    {
        var configuration = new ConfigurationManager();
        var values = new Dictionary<string, string?>
        {
            ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Pipeline:Results:ConnectionString"] = TestStore.ConnectionString,
            ["Pipeline:Scheduler:ConnectionString"] = TestStore.ConnectionString,
        };
        if (setting is not null)
        {
            var (key, value) = (setting.Split('=', 2)[0], setting.Split('=', 2)[1]);
            values[key] = value;
        }

        configuration.AddInMemoryCollection(values);
        return configuration;
    }
}
