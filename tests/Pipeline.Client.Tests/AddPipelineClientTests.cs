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
    public void PipelineClient_ResolvedBeforeTheHostStarted_SaysWhenItConnects()
    {
        var services = new ServiceCollection().AddLogging().AddPipelineClient(new ConfigurationBuilder().Build(), []).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<PipelineClient>());

        Assert.Contains("connects when the host starts", error.Message, StringComparison.Ordinal);
    }
}
