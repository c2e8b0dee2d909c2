using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.RabbitMq;
using RabbitMQ.Client;

namespace Pipeline.IntegrationTests.Client;

[Collection(ServersGroup.Name)]
public sealed class RabbitMqTransportTests(Servers servers)
{
    [Fact]
    public async Task SendAsync_PoolQueueDeletedSinceItWasDeclared_DeclaresAgainAndLosesNothing()
    {
        await using var session = await TestClient.StartAsync(servers);
        await using var topology = new BrokerTopology(Options.Create(TestClient.Options(servers)), NullLogger<BrokerTopology>.Instance);
        var function = session.Client.Function("itest", "on-four-gpus");
        await function.SendAsync(["first"]);
        await DeleteQueueAsync(function.Queue);

        await function.SendAsync(["second"]);

        var counts = await topology.PeekAsync(function.Queue, CancellationToken.None);
        Assert.NotNull(counts);
        Assert.Equal(1, counts.Ready);
        await DeleteQueueAsync(function.Queue);
    }

    private async Task DeleteQueueAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(servers.RabbitMq) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }
}
