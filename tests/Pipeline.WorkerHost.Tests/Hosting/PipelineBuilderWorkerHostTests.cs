using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Client;
using Pipeline.Client.Hosting;
using Pipeline.Consumers.Discovery;
using Pipeline.RabbitMq;
using Pipeline.WorkerHost.Hosting;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Tests.Hosting;

/// <summary><c>AddPipeline(...).AddWorkerHost(...)</c>: registered once, with an injectable client, checked on the options in effect.</summary>
public sealed class PipelineBuilderWorkerHostTests
{
    [Fact]
    public void AddWorkerHost_Twice_RegistersOnce()
    {
        var services = new ServiceCollection();

        services.AddPipeline(Configuration()).AddWorkerHost([]).AddWorkerHost([]);
        services.AddPipelineWorkerHost(Configuration(), []);

        Assert.Single(services, s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(PoolReconciler));
        Assert.Single(services, s => s.ServiceType == typeof(AppRegistry));
        Assert.Single(services, s => s.ServiceType == typeof(IPipelineClient));
    }

    [Fact]
    public void ConsumerTimeoutSetFromCode_ShorterThanAFunctionsTimeout_FailsTheOptionsNamingTheKey()
    {
        var services = new ServiceCollection()
            .AddSingleton(AppDiscovery.Discover([typeof(ConsumerTimeoutCheckTests.LongJobs)]))
            .AddSingleton<IValidateOptions<RabbitMqOptions>, WorkerStartupChecks>()
            .Configure<RabbitMqOptions>(o => o.ConsumerTimeout = TimeSpan.FromMinutes(30));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value);

        Assert.Contains("Pipeline:RabbitMq:ConsumerTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("long.train", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_WorkerOptionSetFromCodeOutOfRange_StopsTheStartNamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPipeline(Configuration()).AddWorkerHost([]);
        builder.Services.Configure<WorkerOptions>(o => o.ExitGracePeriod = TimeSpan.Zero);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Pipeline:Worker:ExitGracePeriod", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@127.0.0.1:1/",
        ["Pipeline:Worker:DetectGpus"] = "false",
    }).Build();
}
