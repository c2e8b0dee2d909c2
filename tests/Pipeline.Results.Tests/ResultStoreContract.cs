using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results.Tests;

/// <summary>
/// What every <see cref="IResultStore"/> does the same way: idempotency keys, duplicates and cancellation. Each store runs
/// these tests through a subclass (<see cref="InMemoryResultStoreTests"/>, <see cref="PostgresResultStoreContractTests"/>).
/// Time is a fake clock; a waiter is only ever woken by what the test does (the PostgreSQL stores poll once an hour).
/// </summary>
public abstract class ResultStoreContract : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ClaimAsync_FreeKey_ReturnsTheClaimingCall()
    {
        var store = NewStore(Week);

        Assert.Equal("fc-1", await store.ClaimAsync("key-1", "fc-1", CancellationToken.None));
        Assert.Equal("fc-2", await store.ClaimAsync("key-2", "fc-2", CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_KeyHeld_ReturnsTheFirstCall()
    {
        var store = NewStore(Week);
        await store.ClaimAsync("key-1", "fc-1", CancellationToken.None);

        Assert.Equal("fc-1", await store.ClaimAsync("key-1", "fc-2", CancellationToken.None));
        Assert.Equal("fc-1", await store.ClaimAsync("key-1", "fc-3", CancellationToken.None));
        Assert.Equal("fc-1", await store.ClaimAsync("key-1", "fc-1", CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_AfterRetention_TheNewCallOwnsTheKey()
    {
        var store = NewStore(TimeSpan.FromHours(1));
        await store.ClaimAsync("key-1", "fc-1", CancellationToken.None);

        Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal("fc-1", await store.ClaimAsync("key-1", "fc-2", CancellationToken.None));

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("fc-3", await store.ClaimAsync("key-1", "fc-3", CancellationToken.None));

        // The new claim counts its own retention period from now.
        Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal("fc-3", await store.ClaimAsync("key-1", "fc-4", CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_ManyAtOnce_AllAgreeOnOneOwner()
    {
        var store = NewStore(Week);
        var ids = Enumerable.Range(0, 20).Select(i => $"fc-{i}").ToList();

        var owners = await Task.WhenAll(ids.Select(id => Task.Run(() => store.ClaimAsync("key-1", id, CancellationToken.None).AsTask())));

        var owner = Assert.Single(owners.Distinct());
        Assert.Contains(owner, ids);
        Assert.Equal(owner, await store.ClaimAsync("key-1", "fc-late", CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_KeyOf200Characters_IsAccepted()
    {
        var store = NewStore(Week);
        var key = new string('k', 200);

        Assert.Equal("fc-1", await store.ClaimAsync(key, "fc-1", CancellationToken.None));
        Assert.Equal("fc-1", await store.ClaimAsync(key, "fc-2", CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_KeyOver200Characters_ThrowsNamingTheLimit()
    {
        var store = NewStore(Week);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => store.ClaimAsync(new string('k', 201), "fc-1", CancellationToken.None).AsTask());

        Assert.Equal("idempotencyKey", error.ParamName);
        Assert.Contains("201 characters", error.Message, StringComparison.Ordinal);
        Assert.Contains("the limit is 200", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a\0b", "NUL")]
    public async Task ClaimAsync_UnstorableKey_ThrowsSayingWhy(string key, string reason)
    {
        var store = NewStore(Week);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.ClaimAsync(key, "fc-1", CancellationToken.None).AsTask());

        Assert.Equal("idempotencyKey", error.ParamName);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_Duplicate_AnswersWithTheOwnersStateThenResult()
    {
        var store = NewStore(Week);
        await store.RegisterAsync("fc-1", CancellationToken.None);
        Assert.Equal("fc-1", await store.ClaimAsync("key-1", "fc-1", CancellationToken.None));
        var owner = await store.ClaimAsync("key-1", "fc-2", CancellationToken.None);

        await store.RecordDuplicateAsync("fc-2", owner, CancellationToken.None);

        var pending = await store.GetAsync("fc-2", TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(CallState.Pending, pending.State);
        Assert.Null(pending.Result);

        var recorded = Succeeded("fc-1", "42");
        await store.RecordAsync(recorded, CancellationToken.None);
        var completed = await store.GetAsync("fc-2", TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(CallState.Completed, completed.State);
        AssertSameResult(recorded, completed.Result);
    }

    [Fact]
    public async Task GetAsync_WaitingOnADuplicate_WakesWhenTheOwnerCompletes()
    {
        // Unique ids: every store on the server shares one notification channel, so another test's record of a call
        // with the same id would wake this waiter too.
        var (owner, duplicate) = UniqueIds();
        var store = NewStore(Week);
        await ReadyToWaitAsync(store);
        await store.RegisterAsync(owner, CancellationToken.None);
        await store.RecordDuplicateAsync(duplicate, owner, CancellationToken.None);
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        OnParked(store, id => (id == owner ? parked : null)?.TrySetResult());

        var get = store.GetAsync(duplicate, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await parked.Task.WaitAsync(Patience);
        await store.RecordAsync(Succeeded(owner, "\"done\""), CancellationToken.None);
        var lookup = await get.WaitAsync(Patience);

        Assert.Equal(CallState.Completed, lookup.State);
        Assert.Equal(owner, lookup.Result!.CallId);
        Assert.Equal("\"done\"", lookup.Result.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task GetAsync_WaitingOnACallThatBecomesADuplicate_WakesWhenTheOwnerCompletes()
    {
        var (owner, duplicate) = UniqueIds();
        var store = NewStore(Week);
        await ReadyToWaitAsync(store);
        await store.RegisterAsync(owner, CancellationToken.None);
        await store.RegisterAsync(duplicate, CancellationToken.None);
        var parkedOnItself = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var parkedOnOwner = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        OnParked(store, id => (id == duplicate ? parkedOnItself : id == owner ? parkedOnOwner : null)?.TrySetResult());

        var get = store.GetAsync(duplicate, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await parkedOnItself.Task.WaitAsync(Patience);
        await store.RecordDuplicateAsync(duplicate, owner, CancellationToken.None);

        // Woken by the link, the waiter looks again, finds the owner pending, and waits for the owner.
        await parkedOnOwner.Task.WaitAsync(Patience);
        await store.RecordAsync(Succeeded(owner, "1"), CancellationToken.None);
        var lookup = await get.WaitAsync(Patience);

        Assert.Equal(CallState.Completed, lookup.State);
        Assert.Equal(owner, lookup.Result!.CallId);
    }

    [Fact]
    public async Task GetAsync_DuplicateOfAnUnknownCall_IsUnknownAtOnce()
    {
        var store = NewStore(Week);
        await store.RecordDuplicateAsync("fc-2", "fc-never", CancellationToken.None);

        var lookup = await store.GetAsync("fc-2", TimeSpan.FromMinutes(5), CancellationToken.None).AsTask().WaitAsync(Patience);

        Assert.Equal(CallState.Unknown, lookup.State);
        Assert.Null(lookup.Result);
        Assert.False(await store.CancelAsync("fc-2", CancellationToken.None));
    }

    [Fact]
    public async Task RecordDuplicateAsync_OfItself_Throws()
    {
        var store = NewStore(Week);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => store.RecordDuplicateAsync("fc-1", "fc-1", CancellationToken.None).AsTask());

        Assert.Contains("cannot duplicate itself", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelAsync_Pending_RecordsTheCancellation()
    {
        var store = NewStore(Week);
        await store.RegisterAsync("fc-1", CancellationToken.None);
        Time.Advance(TimeSpan.FromMinutes(3));

        Assert.True(await store.CancelAsync("fc-1", CancellationToken.None));

        var lookup = await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(CallState.Completed, lookup.State);
        Assert.Equal(
            new InvocationCompleted
            {
                CallId = "fc-1",
                Status = InvocationStatus.Cancelled,
                Error = new RemoteError("Pipeline.CallCancelledException", "Call fc-1 was cancelled.", null),
                Attempts = 0,
                FinishedAt = Time.GetUtcNow(),
            },
            lookup.Result);
    }

    [Fact]
    public async Task RecordAsync_AfterCancel_DoesNotReplaceIt()
    {
        var store = NewStore(Week);
        await store.RegisterAsync("fc-1", CancellationToken.None);
        await store.CancelAsync("fc-1", CancellationToken.None);

        // The worker that was running it finishes after all.
        await store.RecordAsync(Succeeded("fc-1", "42"), CancellationToken.None);

        var result = (await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None)).Result!;
        Assert.Equal(InvocationStatus.Cancelled, result.Status);
        Assert.Null(result.Value);
        Assert.Equal("Pipeline.CallCancelledException", result.Error!.Type);
    }

    [Fact]
    public async Task CancelAsync_Completed_ReturnsFalseAndKeepsTheResult()
    {
        var store = NewStore(Week);
        await store.RegisterAsync("fc-1", CancellationToken.None);
        var recorded = Succeeded("fc-1", "{\"a\":1}");
        await store.RecordAsync(recorded, CancellationToken.None);

        Assert.False(await store.CancelAsync("fc-1", CancellationToken.None));

        var lookup = await store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(CallState.Completed, lookup.State);
        AssertSameResult(recorded, lookup.Result);
    }

    [Fact]
    public async Task CancelAsync_Twice_TheSecondReturnsFalse()
    {
        var store = NewStore(Week);
        await store.RegisterAsync("fc-1", CancellationToken.None);

        Assert.True(await store.CancelAsync("fc-1", CancellationToken.None));
        Assert.False(await store.CancelAsync("fc-1", CancellationToken.None));
    }

    [Fact]
    public async Task CancelAsync_Unknown_ReturnsFalseAndChangesNothing()
    {
        var store = NewStore(Week);

        Assert.False(await store.CancelAsync("fc-never", CancellationToken.None));

        Assert.Equal(CallState.Unknown, (await store.GetAsync("fc-never", TimeSpan.Zero, CancellationToken.None)).State);
    }

    [Fact]
    public async Task GetAsync_WaitingWhenTheCallIsCancelled_Wakes()
    {
        var owner = UniqueIds().Owner;
        var store = NewStore(Week);
        await ReadyToWaitAsync(store);
        await store.RegisterAsync(owner, CancellationToken.None);
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        OnParked(store, id => (id == owner ? parked : null)?.TrySetResult());

        var get = store.GetAsync(owner, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await parked.Task.WaitAsync(Patience);
        Assert.True(await store.CancelAsync(owner, CancellationToken.None));
        var lookup = await get.WaitAsync(Patience);

        Assert.Equal(CallState.Completed, lookup.State);
        Assert.Equal(InvocationStatus.Cancelled, lookup.Result!.Status);
    }

    [Fact]
    public async Task CancelAsync_Duplicate_CancelsTheOwner()
    {
        var (owner, duplicate) = UniqueIds();
        var store = NewStore(Week);
        await ReadyToWaitAsync(store);
        await store.RegisterAsync(owner, CancellationToken.None);
        await store.RecordDuplicateAsync(duplicate, owner, CancellationToken.None);
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        OnParked(store, id => (id == owner ? parked : null)?.TrySetResult());
        var ownerWaiter = store.GetAsync(owner, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await parked.Task.WaitAsync(Patience);

        Assert.True(await store.CancelAsync(duplicate, CancellationToken.None));

        var lookup = await ownerWaiter.WaitAsync(Patience);
        Assert.Equal(InvocationStatus.Cancelled, lookup.Result!.Status);
        Assert.Equal($"Call {owner} was cancelled.", lookup.Result.Error!.Message);
        Assert.Equal(lookup.Result, (await store.GetAsync(duplicate, TimeSpan.Zero, CancellationToken.None)).Result);
        Assert.False(await store.CancelAsync(owner, CancellationToken.None));
    }

    /// <summary>Call ids no other test uses, for the tests where a waiter must be woken only by what the test does.</summary>
    private static (string Owner, string Duplicate) UniqueIds()
    {
        var run = Guid.NewGuid().ToString("N")[..12];
        return ($"fc-owner-{run}", $"fc-duplicate-{run}");
    }

    /// <summary>
    /// Has a first waiter wait and stop. A PostgreSQL store starts listening with its first waiter and then wakes every waiter
    /// to look again (a record made meanwhile was not heard); after this, only what the test does wakes a waiter.
    /// </summary>
    private async Task ReadyToWaitAsync(IResultStore store)
    {
        await store.RegisterAsync("fc-warm-up", CancellationToken.None);
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        OnParked(store, _ => parked.TrySetResult());
        using var stop = new CancellationTokenSource();
        var wait = store.GetAsync("fc-warm-up", Timeout.InfiniteTimeSpan, stop.Token).AsTask();
        await parked.Task.WaitAsync(Patience);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Patience));
    }

    // Records compare JsonElement by reference to its document, so the value is compared by its text.
    private static void AssertSameResult(InvocationCompleted expected, InvocationCompleted? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Value = null }, actual with { Value = null });
        Assert.Equal(expected.Value?.GetRawText(), actual.Value?.GetRawText());
    }

    protected static InvocationCompleted Succeeded(string callId, string json)
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

    /// <summary>A new store on <see cref="Time"/> with this retention period.</summary>
    private protected abstract IResultStore NewStore(TimeSpan retention);

    /// <summary>Calls <paramref name="parked"/> each time a waiter of <paramref name="store"/> has looked and starts waiting.</summary>
    private protected abstract void OnParked(IResultStore store, Action<string> parked);
}
