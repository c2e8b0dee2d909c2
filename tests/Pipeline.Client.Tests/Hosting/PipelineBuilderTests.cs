using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.RabbitMq;

namespace Pipeline.Client.Tests.Hosting;

/// <summary>The registration root: every part once, options on the Options pattern, checked when the host starts.</summary>
public sealed class PipelineBuilderTests
{
    [Fact]
    public void AddClient_Twice_RegistersOneClient()
    {
        var services = new ServiceCollection();

        services.AddPipeline(Configuration()).AddClient([TestApps.Inference]).AddClient([TestApps.Inference]);
        services.AddPipeline(Configuration()).AddClient([]);
        services.AddPipelineClient(Configuration(), []);

        Assert.Single(services, s => s.ServiceType == typeof(PipelineClient));
        Assert.Single(services, s => s.ServiceType == typeof(IPipelineClient));
        Assert.Single(services, s => s.ServiceType == typeof(IHostedService));
        Assert.Single(services, s => s.ServiceType == typeof(IValidateOptions<RabbitMqOptions>));
    }

    [Fact]
    public async Task StartAsync_BadValueSetFromCode_StopsTheStartNamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPipeline(Configuration()).AddClient([TestApps.Inference]);
        builder.Services.Configure<RabbitMqOptions>(o => o.SendTimeout = TimeSpan.Zero);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Pipeline:RabbitMq:SendTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_SetFromCode_ReachTheClientsOptions()
    {
        var services = new ServiceCollection();
        services.AddPipeline(Configuration()).AddClient([TestApps.Inference]);
        services.Configure<RabbitMqOptions>(o => o.SendTimeout = TimeSpan.FromSeconds(7));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(7), options.SendTimeout);
        Assert.Equal("amqp://guest:guest@127.0.0.1:1/", options.ConnectionString);
    }

    private static IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@127.0.0.1:1/",
    }).Build();
}
