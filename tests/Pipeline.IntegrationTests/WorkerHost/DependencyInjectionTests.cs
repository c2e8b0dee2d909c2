using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Results;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// App objects are built from the worker host's services: a [Cls] takes a logger, an options object and a service the
/// app registered (IPipelineApp), and a function calls another through the injected client, which names it as parent.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class DependencyInjectionTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EventLog _events = new();

    [Fact]
    public async Task Cls_TakingLoggerOptionsAndAnAppService_IsBuiltByTheHostAndUsesThem()
    {
        var name = "di-" + Guid.NewGuid().ToString("N")[..8];
        await using var worker = await WorkerProcess.StartReadyAsync(
            servers,
            _events.Directory,
            environment: new Dictionary<string, string?> { ["Itest__Greeting__Punctuation"] = "!?" });
        await using var session = await TestClient.StartAsync(servers);
        var model = session.Client.Cls("itest", "injected-model");

        var first = await model.With(new { name }).Method("greet").RemoteAsync<string>(["ada"]);
        var second = await model.With(new { name = name + "-2" }).Method("greet").RemoteAsync<string>(["bob"]);

        // The app's service (a singleton: one greeter for both containers) and the options bound from the host's configuration.
        Assert.StartsWith($"hello ada!? ({name}, greeter ", first, StringComparison.Ordinal);
        Assert.StartsWith($"hello bob!? ({name}-2, greeter ", second, StringComparison.Ordinal);
        Assert.Equal(first[^9..], second[^9..]);

        // The injected ILogger<InjectedModel> writes through the host's logging.
        await worker.WaitForOutputAsync($"injected-model {name} greeted ada", Patience);
    }

    [Fact]
    public async Task Function_CallingAnotherThroughTheInjectedClient_ChildsStoredCallNamesTheParent()
    {
        var tag = "child-" + Guid.NewGuid().ToString("N")[..8];
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);

        var parent = await session.Client.Function("itest", "spawn-child").SpawnAsync([tag]);
        var childId = await parent.GetAsync<string>(Patience);

        await using var store = new PostgresResultStore(new PostgresResultStoreOptions { ConnectionString = servers.Postgres, Schema = servers.ResultsSchema }, TimeProvider.System);
        Assert.Equal(parent.Id, await store.GetParentCallIdAsync(childId, CancellationToken.None));
        Assert.Null(await store.GetParentCallIdAsync(parent.Id, CancellationToken.None));
        Assert.Equal(tag, (await session.Client.Call(childId).GetAsync<Reply>(Patience)).Tag);
        Assert.Equal(1, _events.Count("echo", tag));
    }

    public void Dispose() => _events.Dispose();
}
