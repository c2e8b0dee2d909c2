using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Contracts;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Calls;

[Collection(ServersGroup.Name)]
public sealed class SpawnTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EventLog _events = new();
    private readonly string _tag = "pending-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task SpawnAsync_InOneProcess_GetAsyncByIdInAnother_ReturnsTheResultFromPostgres()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        string id;
        await using (var spawner = await TestClient.StartAsync(servers))
        {
            var call = await spawner.Client.Function<IWork>().SpawnAsync(w => w.Echo("spawned"));
            id = call.Id;
        }

        await using var reader = await TestClient.StartAsync(servers);
        var reply = await reader.Client.Call<Reply>(id).GetAsync(Patience);

        Assert.Equal("spawned", reply.Tag);
        Assert.Equal(worker.Pid, reply.Pid);
        Assert.Equal("spawned", (await reader.Client.Call<Reply>(id).GetAsync(TimeSpan.Zero)).Tag);
    }

    [Fact]
    public async Task GetAsync_CallStillRunning_TimesOutAsPendingThenCompletes()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var tag = _tag;

        var call = await session.Client.Function("itest", "gated").SpawnAsync([tag]);
        await Eventually.TrueAsync(() => _events.Count("gated-start", tag) == 1, Patience, "the call started");
        await Assert.ThrowsAsync<TimeoutException>(() => call.GetAsync<Reply>(TimeSpan.FromMilliseconds(300)));
        servers.OpenGate(tag);

        Assert.Equal(tag, (await call.GetAsync<Reply>(Patience)).Tag);
    }

    public void Dispose()
    {
        servers.OpenGate(_tag);
        _events.Dispose();
    }
}
