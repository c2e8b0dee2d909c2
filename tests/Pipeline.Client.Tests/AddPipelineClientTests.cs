using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Client.Tests;

public sealed class AddPipelineClientTests
{
    [Fact]
    public void AddPipelineClient_BadQueueType_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:RabbitMq:QueueType"] = "stream" })
            .Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddPipelineClient(configuration, []));

        Assert.Contains("Pipeline:RabbitMq:QueueType", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPipelineClient_NotAnAmqpUri_ThrowsWithoutShowingThePassword()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:RabbitMq:ConnectionString"] = "http://user:s3cret@host/" })
            .Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddPipelineClient(configuration, []));

        Assert.Contains("Pipeline:RabbitMq:ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelineClient_ResolvedBeforeTheHostStarted_ConnectsOnItsFirstCall()
    {
        // Port 1 refuses at once: the first call tries to connect (within the 1 s send timeout) and says the broker is away.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Pipeline:RabbitMq:SendTimeout"] = "00:00:01",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddPipelineClient(configuration, [TestApps.Inference]).BuildServiceProvider();

        var client = services.GetRequiredService<IPipelineClient>();

        Assert.Same(services.GetRequiredService<PipelineClient>(), client);
        await Assert.ThrowsAsync<BrokerUnavailableException>(() => client.Function("inference", "square").RemoteAsync<int>([3]));
    }
}
