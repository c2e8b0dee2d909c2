using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.IntegrationTests.Invocations;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.IntegrationTests.Calls;

/// <summary>Cancelling spawned calls, and idempotency keys, over RabbitMQ and PostgreSQL with real worker processes.</summary>
[Collection(ServersGroup.Name)]
public sealed class CancelAndIdempotencyTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EventLog _events = new();
    private readonly string _tag = "cancel-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task CancelAsync_RunningCall_CancelsItsTokenGetThrowsCancelledAndItIsNotRetried()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var call = await session.Client.Function("itest", "cancellable").SpawnAsync([_tag]);
        await Eventually.TrueAsync(() => _events.Count("cancellable-start", _tag) == 1, Patience, "the call started");

        Assert.True(await call.CancelAsync());

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => call.GetAsync<Reply>(Patience));
        Assert.Equal(InvocationStatus.Cancelled, error.Status);
        await Eventually.TrueAsync(() => _events.Count("cancellable-cancelled", _tag) == 1, Patience, "the function saw its token cancelled");
        // Retries(3) with a 1 s delay: a cancel counted as a failure would have started it again by the time a later call
        // to the same pool (FIFO) has run.
        await AssertPoolMovedOnAsync(session);
        Assert.Equal(1, _events.Count("cancellable-start", _tag));
        Assert.False(await call.CancelAsync());
    }

    [Fact]
    public async Task CancelAsync_BeforeAnyWorkerRuns_InputIsDroppedWhenItArrives()
    {
        await using var session = await TestClient.StartAsync(servers);
        var call = await session.Client.Function("itest", "cancellable").SpawnAsync([_tag]);

        Assert.True(await call.CancelAsync());
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await AssertPoolMovedOnAsync(session);

        Assert.Equal(0, _events.Count("cancellable-start", _tag));
        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => call.GetAsync<Reply>(TimeSpan.Zero));
        Assert.Equal(InvocationStatus.Cancelled, error.Status);
    }

    [Fact]
    public async Task SpawnAsync_SameIdempotencyKeyTwice_ReturnsTheFirstCallAndRunsOnce()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var echo = session.Client.Function("itest", "echo");
        var options = new CallOptions { IdempotencyKey = "nightly:" + _tag };

        var first = await echo.SpawnAsync([_tag], options);
        var second = await echo.SpawnAsync([_tag], options);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(_tag, (await second.GetAsync<Reply>(Patience)).Tag);

        // A third one after the first finished still returns it.
        var third = await echo.SpawnAsync([_tag], options);
        Assert.Equal(first.Id, third.Id);
        await AssertEchoPoolMovedOnAsync(session);
        Assert.Equal(1, _events.Count("echo", _tag));
    }

    [Fact]
    public async Task RawPublishers_SameIdempotencyKeyDifferentCallIds_RunOnceAndBothGetTheResult()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        await raw.DeclarePoolAsync("itest.echo", "itest", "function", "echo", "{}", owned: false);
        await raw.AnnounceAsync("""{"queue":"itest.echo","app":"itest","function":"echo"}""");
        var ids = new[] { NewCallId(), NewCallId() };

        foreach (var id in ids)
        {
            await raw.PublishAsync("itest.echo", raw.Invocation($$"""{"callId":"{{id}}","app":"itest","function":"echo","args":["{{_tag}}"],"idempotencyKey":"raw:{{_tag}}","storeResult":true}"""));
        }

        // The publisher registered nothing: wait until the hosts have taken both inputs (each call id is then known).
        await using var store = new PostgresResultStore(new PostgresResultStoreOptions { ConnectionString = servers.Postgres, Schema = servers.ResultsSchema }, TimeProvider.System);
        await Eventually.TrueAsync(
            async () => (await Task.WhenAll(ids.Select(id => store.GetAsync(id, TimeSpan.Zero, CancellationToken.None).AsTask()))).All(l => l.State == CallState.Completed),
            Patience,
            "both calls completed");
        foreach (var id in ids)
        {
            Assert.Equal(_tag, (await session.Client.Call(id).GetAsync<Reply>(TimeSpan.Zero)).Tag);
        }

        Assert.Equal(1, _events.Count("echo", _tag));
    }

    [Fact]
    public async Task SpawnAsync_IdempotencyKeyOver200Characters_IsRefusedNamingTheLimit()
    {
        await using var session = await TestClient.StartAsync(servers);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            session.Client.Function("itest", "echo").SpawnAsync([_tag], new CallOptions { IdempotencyKey = new string('k', 201) }));

        Assert.Contains("the limit is 200", error.Message, StringComparison.Ordinal);
    }

    // A later input to the same pool has finished, so the one before it was taken from the queue.
    private async Task AssertPoolMovedOnAsync(PipelineConnection session)
    {
        var marker = _tag + "-after";
        servers.OpenGate(marker);
        var reply = await session.Client.Function("itest", "cancellable").RemoteAsync<Reply>([marker]).WaitAsync(Patience);
        Assert.Equal(marker, reply.Tag);
    }

    private async Task AssertEchoPoolMovedOnAsync(PipelineConnection session)
    {
        var marker = _tag + "-after";
        Assert.Equal(marker, (await session.Client.Function("itest", "echo").RemoteAsync<Reply>([marker]).WaitAsync(Patience)).Tag);
    }

    private static string NewCallId() => "fc-" + Guid.NewGuid().ToString("N");

    public void Dispose()
    {
        servers.OpenGate(_tag);
        _events.Dispose();
    }
}
