using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.WorkerHost;

[Collection(ServersGroup.Name)]
public sealed class WorkerHostTests(Servers servers) : IDisposable
{
    private readonly EventLog _events = new();

    [Fact]
    public async Task RemoteAsync_OneHost_RunsTheFunctionInTheWorkerProcess()
    {
        await using var worker = WorkerProcess.Start(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);

        var reply = await session.Client.Function("itest", "echo").RemoteAsync<Reply>(["hello"]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("hello", reply.Tag);
        Assert.Equal(worker.Pid, reply.Pid);
    }

    public void Dispose() => _events.Dispose();
}
