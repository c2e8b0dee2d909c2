using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results.Tests;

public sealed class PostgresResultStoreTests : PostgresTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GetAsync_FirstUse_CreatesSchemaAndTable()
    {
        await using var store = Schema.Store();
        Assert.Equal(0, await Schema.ScalarAsync("select count(*) from information_schema.schemata where schema_name = $1", Schema.Name));

        var lookup = await store.GetAsync("fc-none", TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(CallState.Unknown, lookup.State);
        Assert.Equal(1, await Schema.ScalarAsync("select count(*) from information_schema.schemata where schema_name = $1", Schema.Name));
        Assert.Equal(
            10,
            await Schema.ScalarAsync(
                "select count(*) from information_schema.columns where table_schema = $1 and table_name = 'calls' and " +
                "(column_name, data_type, is_nullable) in (('call_id', 'text', 'NO'), ('status', 'text', 'NO'), ('value', 'json', 'YES'), " +
                "('error', 'json', 'YES'), ('attempts', 'integer', 'NO'), ('started_at', 'timestamp with time zone', 'YES'), " +
                "('finished_at', 'timestamp with time zone', 'YES'), ('created_at', 'timestamp with time zone', 'NO'), " +
                "('expires_at', 'timestamp with time zone', 'YES'), ('duplicate_of', 'text', 'YES'))",
                Schema.Name));
        Assert.Equal(
            4,
            await Schema.ScalarAsync(
                "select count(*) from information_schema.columns where table_schema = $1 and table_name = 'idempotency' and " +
                "(column_name, data_type, is_nullable) in (('key', 'text', 'NO'), ('call_id', 'text', 'NO'), " +
                "('created_at', 'timestamp with time zone', 'NO'), ('expires_at', 'timestamp with time zone', 'NO'))",
                Schema.Name));
    }

    [Fact]
    public async Task RegisterAsync_ManyStoresAtOnce_CreateTheSchemaOnce()
    {
        // Separate stores stand for separate processes: each creates the schema on its first use, all at the same moment.
        var stores = Enumerable.Range(0, 8).Select(_ => Schema.Store()).ToList();

        await Task.WhenAll(stores.Select((store, i) => store.RegisterAsync($"fc-{i}", CancellationToken.None).AsTask()));

        Assert.Equal(8, await Schema.ScalarAsync("select count(*) from $schema.calls"));
        foreach (var (store, i) in stores.Select((store, i) => (store, i)))
        {
            Assert.Equal(CallState.Pending, (await store.GetAsync($"fc-{(i + 1) % 8}", TimeSpan.Zero, CancellationToken.None)).State);
        }
    }

    [Fact]
    public async Task GetAsync_SchemaMadeByAnotherStore_UsesIt()
    {
        var first = Schema.Store();
        await first.RecordAsync(Succeeded("fc-1", "1"), CancellationToken.None);
        var second = Schema.Store();

        var lookup = await second.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(CallState.Completed, lookup.State);
    }

    [Fact]
    public async Task GetAsync_Registered_IsPending()
    {
        var store = Schema.Store();
        await store.RegisterAsync("fc-1", CancellationToken.None);

        var lookup = await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(CallState.Pending, lookup.State);
        Assert.Null(lookup.Result);
    }

    [Fact]
    public async Task GetAsync_UnknownId_IsUnknownAtOnceEvenWithATimeout()
    {
        var store = Schema.Store();
        await store.RegisterAsync("fc-other", CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var lookup = await store.GetAsync("fc-never", TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(CallState.Unknown, lookup.State);
        Assert.Null(lookup.Result);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("42")]
    [InlineData("-0")]
    [InlineData("1.10")]
    [InlineData("1E+20")]
    [InlineData("-1.5e-7")]
    [InlineData("123456789012345678901234567890.000000000000000000001")]
    [InlineData("\"plain\"")]
    [InlineData("\"quotes \\\" backslash \\\\ tab \\t nul \\u0000 escaped \\u00e9 raw é emoji 😀 \\ud83d\\ude00\"")]
    [InlineData("\"\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("[1,\"two\",3.0,null,[{}]]")]
    [InlineData("{\"zeta\":1,\"alpha\":{\"b\":[1,2,{\"deep\":{\"deeper\":null}}],\"a\":\"x\"},\"alpha\":2}")]
    [InlineData("{ \"spaced\" : [ 1 , 2 ] }")]
    public async Task GetAsync_Recorded_ReturnsTheValueExactly(string json)
    {
        var store = Schema.Store();
        await store.RegisterAsync("fc-1", CancellationToken.None);
        var recorded = Succeeded("fc-1", json);

        await store.RecordAsync(recorded, CancellationToken.None);
        var lookup = await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(CallState.Completed, lookup.State);
        var result = Assert.IsType<InvocationCompleted>(lookup.Result);
        Assert.Equal(json, result.Value!.Value.GetRawText());
        Assert.Equal(InvocationStatus.Succeeded, result.Status);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task GetAsync_RecordedSerializedObject_DeserializesToTheSameObject()
    {
        var store = Schema.Store();
        var payload = new Payload("naïve \"text\"", 12345678901234, 0.1 + 0.2, [1.5m, 10.000m], new Dictionary<string, int> { ["z"] = 1, ["a"] = 2 });
        var value = JsonSerializer.SerializeToElement(payload, PayloadJson.Options);

        await store.RecordAsync(Succeeded("fc-1", value.GetRawText()), CancellationToken.None);
        var result = (await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None)).Result!;

        Assert.Equal(value.GetRawText(), result.Value!.Value.GetRawText());
        var back = result.Value.Value.Deserialize<Payload>(PayloadJson.Options)!;
        Assert.Equal(payload.Text, back.Text);
        Assert.Equal(payload.Big, back.Big);
        Assert.Equal(payload.Sum, back.Sum);
        Assert.Equal(payload.Prices, back.Prices);
        Assert.Equal(["z", "a"], back.Counts.Keys);
    }

    [Fact]
    public async Task GetAsync_RecordedFailure_ReturnsErrorAttemptsAndTimings()
    {
        var store = Schema.Store();
        // Microsecond precision (PostgreSQL's) and a non-UTC offset: the same instants come back.
        var started = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234560);
        var finished = started.AddSeconds(3.5);
        var recorded = new InvocationCompleted
        {
            CallId = "fc-1",
            Status = InvocationStatus.Failed,
            Error = new RemoteError("System.InvalidOperationException", "boom: \"quoted\"\nsecond line é", "   at Worker.Run()\n   at Main()"),
            Attempts = 3,
            StartedAt = started,
            FinishedAt = finished,
        };

        await store.RecordAsync(recorded, CancellationToken.None);
        var result = (await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None)).Result!;

        Assert.Equal("fc-1", result.CallId);
        Assert.Equal(InvocationStatus.Failed, result.Status);
        Assert.Null(result.Value);
        Assert.Equal(recorded.Error, result.Error);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(started, result.StartedAt);
        Assert.Equal(finished, result.FinishedAt);
        Assert.Equal(started.UtcTicks, result.StartedAt.UtcTicks);
    }

    [Theory]
    [InlineData(InvocationStatus.TimedOut)]
    [InlineData(InvocationStatus.Cancelled)]
    [InlineData(InvocationStatus.Rejected)]
    [InlineData(InvocationStatus.EnterFailed)]
    public async Task GetAsync_EveryStatus_RoundTrips(InvocationStatus status)
    {
        var store = Schema.Store();
        // A call rejected before running has no start time: the default comes back as the default.
        var recorded = new InvocationCompleted { CallId = "fc-1", Status = status, Error = new RemoteError("T", "m", null) };

        await store.RecordAsync(recorded, CancellationToken.None);
        var result = (await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None)).Result!;

        Assert.Equal(recorded, result);
    }

    [Fact]
    public async Task GetAsync_NoValue_IsNullNotJsonNull()
    {
        var store = Schema.Store();

        await store.RecordAsync(new InvocationCompleted { CallId = "fc-1", Status = InvocationStatus.Succeeded }, CancellationToken.None);
        await store.RecordAsync(Succeeded("fc-2", "null"), CancellationToken.None);

        Assert.Null((await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None)).Result!.Value);
        Assert.Equal(JsonValueKind.Null, (await store.GetAsync("fc-2", TimeSpan.Zero, CancellationToken.None)).Result!.Value!.Value.ValueKind);
    }

    [Fact]
    public async Task RecordAsync_Twice_TheLaterReplaces()
    {
        var store = Schema.Store();
        await store.RecordAsync(Succeeded("fc-1", "1"), CancellationToken.None);

        await store.RecordAsync(Succeeded("fc-1", "2") with { Attempts = 2 }, CancellationToken.None);

        var result = (await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None)).Result!;
        Assert.Equal("2", result.Value!.Value.GetRawText());
        Assert.Equal(2, result.Attempts);
    }

    [Fact]
    public async Task RegisterAsync_AfterRecordAsync_KeepsTheResult()
    {
        var store = Schema.Store();
        await store.RegisterAsync("fc-1", CancellationToken.None);
        await store.RecordAsync(Succeeded("fc-1", "\"done\""), CancellationToken.None);

        // A spawn retried after the call finished.
        await store.RegisterAsync("fc-1", CancellationToken.None);

        var lookup = await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(CallState.Completed, lookup.State);
        Assert.Equal("\"done\"", lookup.Result!.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task GetAsync_RecordFromAnotherStore_WakesTheWaiterByNotification()
    {
        // An hour between polls: only the notification can wake the waiter within the test's patience.
        var waiting = Schema.Store(configure: o => o.PollInterval = TimeSpan.FromHours(1));
        var recording = Schema.Store();
        await recording.RegisterAsync("fc-1", CancellationToken.None);
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.Parked = _ => parked.TrySetResult();

        var get = waiting.GetAsync("fc-1", Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await parked.Task.WaitAsync(Patience);
        await recording.RecordAsync(Succeeded("fc-1", "{\"answer\":42}"), CancellationToken.None);
        var lookup = await get.WaitAsync(Patience);

        Assert.Equal(CallState.Completed, lookup.State);
        Assert.Equal("{\"answer\":42}", lookup.Result!.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task GetAsync_ManyWaiters_EachWokenByItsOwnRecord()
    {
        var waiting = Schema.Store(configure: o => o.PollInterval = TimeSpan.FromHours(1));
        var recording = Schema.Store();
        var ids = Enumerable.Range(0, 20).Select(i => $"fc-{i}").ToList();
        foreach (var id in ids)
        {
            await recording.RegisterAsync(id, CancellationToken.None);
        }

        var parked = ids.ToDictionary(id => id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        waiting.Parked = id => parked[id].TrySetResult();
        var gets = ids.Select(id => waiting.GetAsync(id, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask()).ToList();
        // A second waiter on the same call, in the same store.
        var twin = waiting.GetAsync("fc-0", TimeSpan.FromMinutes(5), CancellationToken.None).AsTask();
        await Task.WhenAll(parked.Values.Select(p => p.Task)).WaitAsync(Patience);

        await Task.WhenAll(ids.Select(id => recording.RecordAsync(Succeeded(id, $"\"{id}\""), CancellationToken.None).AsTask()));
        var lookups = await Task.WhenAll(gets).WaitAsync(Patience);

        Assert.All(lookups.Zip(ids), pair => Assert.Equal($"\"{pair.Second}\"", pair.First.Result!.Value!.Value.GetRawText()));
        Assert.Equal(CallState.Completed, (await twin.WaitAsync(Patience)).State);
    }

    [Fact]
    public async Task GetAsync_NotificationMissed_PollingFindsTheResult()
    {
        var store = Schema.Store(configure: o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        await store.RegisterAsync("fc-1", CancellationToken.None);
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Parked = _ => parked.TrySetResult();
        var get = store.GetAsync("fc-1", Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await parked.Task.WaitAsync(Patience);

        // Written behind the store's back: no NOTIFY is sent.
        await Schema.ExecuteAsync(
            "update $schema.calls set status = 'Succeeded', value = '7', finished_at = now(), expires_at = now() + interval '1 day' where call_id = $1",
            "fc-1");
        var lookup = await get.WaitAsync(Patience);

        Assert.Equal(CallState.Completed, lookup.State);
        Assert.Equal("7", lookup.Result!.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task GetAsync_ZeroTimeout_LooksOnceWithoutWaiting()
    {
        var store = Schema.Store();
        await store.RegisterAsync("fc-1", CancellationToken.None);
        var parks = 0;
        store.Parked = _ => Interlocked.Increment(ref parks);

        var lookup = await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(CallState.Pending, lookup.State);
        Assert.Equal(0, parks);
    }

    [Fact]
    public async Task GetAsync_ShortTimeoutOnAPendingCall_IsPendingAfterTheTimeout()
    {
        var store = Schema.Store();
        await store.RegisterAsync("fc-1", CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var lookup = await store.GetAsync("fc-1", TimeSpan.FromMilliseconds(700), CancellationToken.None);

        Assert.Equal(CallState.Pending, lookup.State);
        Assert.Null(lookup.Result);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(650), Patience);
    }

    [Fact]
    public async Task GetAsync_Cancelled_Throws()
    {
        var store = Schema.Store();
        await store.RegisterAsync("fc-1", CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var get = store.GetAsync("fc-1", Timeout.InfiniteTimeSpan, cancel.Token).AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(Patience));
    }

    [Fact]
    public async Task GetAsync_NegativeTimeout_Throws()
    {
        var store = Schema.Store();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => store.GetAsync("fc-1", TimeSpan.FromSeconds(-2), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task GetAsync_PastRetention_IsUnknown()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var store = Schema.Store(time, o => o.Retention = TimeSpan.FromDays(7));
        await store.RegisterAsync("fc-1", CancellationToken.None);
        await store.RecordAsync(Succeeded("fc-1", "1"), CancellationToken.None);

        time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(CallState.Completed, (await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None)).State);

        time.Advance(TimeSpan.FromSeconds(2));
        var lookup = await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(CallState.Unknown, lookup.State);
        Assert.Null(lookup.Result);
    }

    [Fact]
    public async Task PurgeExpiredAsync_PastRetention_DeletesExpiredRowsOnly()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var store = Schema.Store(time, o => o.Retention = TimeSpan.FromHours(1));
        await store.RecordAsync(Succeeded("fc-old", "1"), CancellationToken.None);
        await store.RegisterAsync("fc-pending", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(30));
        await store.RecordAsync(Succeeded("fc-new", "2"), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(3, await Schema.ScalarAsync("select count(*) from $schema.calls"));

        var purged = await store.PurgeExpiredAsync(CancellationToken.None);

        Assert.Equal(1, purged);
        Assert.Equal(0, await Schema.ScalarAsync("select count(*) from $schema.calls where call_id = 'fc-old'"));
        Assert.Equal(CallState.Unknown, (await store.GetAsync("fc-old", TimeSpan.Zero, CancellationToken.None)).State);
        Assert.Equal(CallState.Completed, (await store.GetAsync("fc-new", TimeSpan.Zero, CancellationToken.None)).State);
        // Pending calls never expire, as in the in-memory store.
        Assert.Equal(CallState.Pending, (await store.GetAsync("fc-pending", TimeSpan.Zero, CancellationToken.None)).State);
    }

    [Fact]
    public async Task GetAsync_AfterPurgeInterval_PurgesInTheBackground()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var store = Schema.Store(time, o =>
        {
            o.Retention = TimeSpan.FromMinutes(1);
            o.PurgeInterval = TimeSpan.FromMinutes(10);
        });
        await store.RecordAsync(Succeeded("fc-1", "1"), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(11));

        // Each lookup may start a purge (one at a time, so the first may have been skipped while the record's was running).
        var deadline = Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        do
        {
            Assert.True(deadline.Elapsed < Patience, "the background purge did not delete the expired row");
            await store.GetAsync("fc-other", TimeSpan.Zero, CancellationToken.None);
            await poll.WaitForNextTickAsync();
        }
        while (await Schema.ScalarAsync("select count(*) from $schema.calls") > 0);
    }

    [Fact]
    public async Task RecordAsync_AfterDispose_Throws()
    {
        var store = Schema.Store();
        await store.RegisterAsync("fc-1", CancellationToken.None);
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.RecordAsync(Succeeded("fc-1", "1"), CancellationToken.None).AsTask());
        await store.DisposeAsync();
    }

    private static InvocationCompleted Succeeded(string callId, string json)
    {
        using var document = JsonDocument.Parse(json);
        return new InvocationCompleted
        {
            CallId = callId,
            Status = InvocationStatus.Succeeded,
            Value = document.RootElement.Clone(),
            Attempts = 1,
            StartedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            FinishedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 1, TimeSpan.Zero),
        };
    }

    public sealed record Payload(string Text, long Big, double Sum, List<decimal> Prices, Dictionary<string, int> Counts);
}
