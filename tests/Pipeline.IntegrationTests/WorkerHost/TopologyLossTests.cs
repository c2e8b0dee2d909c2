using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.RabbitMq;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// Only the host's topology connection (the one holding its container leases) is lost while its bus connection stays
/// up: the pool stops as for a lost lease, the input it was running is cut at the end of the drain and goes back to the
/// queue over the live bus channel, a fresh container takes it, and the call resolves; nothing is dead-lettered.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class TopologyLossTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly EventLog _events = new();
    private readonly string _tag = "topology-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task TopologyConnectionClosed_RunningInputIsCutRedeliveredAndResolves()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var gated = session.Client.Function("itest", "gated");
        var call = await gated.SpawnAsync([_tag]);
        await Eventually.TrueAsync(() => _events.Count("gated-start", _tag) == 1, Patience, "the input is running");

        var closed = await servers.CloseConnectionsAsync(name => name.StartsWith(BrokerTopology.ConnectionName, StringComparison.Ordinal));
        Assert.True(closed > 0, "the host's topology connection was listed and closed");

        try
        {
            // Cut at half the grace (5 s here), redelivered on the bus connection that stayed up, run again.
            await Eventually.TrueAsync(() => _events.Count("gated-start", _tag) >= 2, Patience, "the cut input ran again on a fresh container");
        }
        catch (Exception e)
        {
            throw worker.WithOutput(e);
        }

        servers.OpenGate(_tag);
        Assert.Equal(_tag, (await call.GetAsync<Reply>(Patience)).Tag);
        var errors = await QueueDepth.ReadAsync(servers.RabbitMq, [gated.Queue + "_error"]);
        Assert.All(errors, e => Assert.True(e.Value == 0, $"{e.Key} holds {e.Value} message(s)"));
    }

    public void Dispose() => _events.Dispose();
}
