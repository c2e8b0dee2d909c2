using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Contracts;
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

        var first = await session.Client.Cls<IInjectedModel, InjectedModelParameters>(new(name)).RemoteAsync(m => m.Greet("ada"));
        var second = await session.Client.Cls<IInjectedModel, InjectedModelParameters>(new(name + "-2")).RemoteAsync(m => m.Greet("bob"));

        // The app's service (a singleton: one greeter for both containers) and the options bound from the host's configuration.
        Assert.StartsWith($"hello ada!? ({name}, greeter ", first, StringComparison.Ordinal);
        Assert.StartsWith($"hello bob!? ({name}-2, greeter ", second, StringComparison.Ordinal);
        Assert.Equal(first[^9..], second[^9..]);

        // The injected ILogger<InjectedModel> writes through the host's logging.
        await worker.WaitForOutputAsync($"injected-model {name} greeted ada", Patience);
    }

    [Fact]
    public async Task Cls_TakingItsRecord_TypedCallWithANonDefaultValueReachesTheInstanceBuiltWithItOnTheUntypedCallsQueue()
    {
        var name = "record-" + Guid.NewGuid().ToString("N")[..8];
        await using var worker = await WorkerProcess.StartReadyAsync(
            servers,
            _events.Directory,
            environment: new Dictionary<string, string?> { ["Itest__Greeting__Punctuation"] = "!?" });
        await using var session = await TestClient.StartAsync(servers);
        var typed = session.Client.Cls<IInjectedModel, InjectedModelParameters>(new(name, Size: 5));

        var reply = await typed.RemoteAsync(m => m.Describe("ada"));

        // Built by the host with the logger, options and app service beside the record of exactly the hashed values.
        Assert.Equal(new InjectedModelParameters(name, 5), reply.Parameters);
        Assert.Equal("hello ada!?", reply.Greeting);
        Assert.Equal(typed.Queue, reply.Queue);
        await worker.WaitForOutputAsync($"injected-model {name} loaded", Patience);

        // The untyped call with the same parameters hashes to the same queue and reaches the same instance.
        var untyped = session.Client.Cls("itest", "injected-model").With(new { name, size = 5 });
        var same = await untyped.Method("describe").RemoteAsync<InjectedDescription>(["bob"]);
        Assert.Equal(typed.Queue, untyped.Queue);
        Assert.Equal((reply.Queue, reply.Instance, reply.Parameters), (same.Queue, same.Instance, same.Parameters));

        // The default is applied before hashing: another pool, another instance, built with Size 1.
        var byDefault = await session.Client.Cls<IInjectedModel, InjectedModelParameters>(new(name)).RemoteAsync(m => m.Describe("cy"));
        Assert.Equal(new InjectedModelParameters(name, 1), byDefault.Parameters);
        Assert.NotEqual(reply.Queue, byDefault.Queue);
        Assert.NotEqual(reply.Instance, byDefault.Instance);
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
