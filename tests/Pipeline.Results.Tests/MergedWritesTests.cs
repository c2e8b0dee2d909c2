using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results.Tests;

/// <summary>
/// Pending rows and outcomes that arrive together are written as one statement per kind (WriteBatcher with
/// MergedRows): every row lands as it would alone, the last of two outcomes for one call stays, a cancellation is never
/// overwritten, and each recorded call still wakes its waiter.
/// </summary>
public sealed class MergedWritesTests : PostgresTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RecordAsync_ThreeHundredAtOnce_AllCompletedInFewerBatchesThanWrites()
    {
        await using var store = Schema.Store();
        var ids = Enumerable.Range(0, 300).Select(i => $"fc-merged-{i}").ToList();
        await Task.WhenAll(ids.Select(id => store.RegisterAsync(id, "fc-parent", CancellationToken.None).AsTask()));
        var before = store.WriteBatches;

        await Task.WhenAll(ids.Select((id, i) => store.RecordAsync(Outcome(id, $"{i}"), CancellationToken.None).AsTask()));

        Assert.InRange(store.WriteBatches - before, 1, 299);
        for (var i = 0; i < ids.Count; i++)
        {
            var lookup = await store.GetAsync(ids[i], TimeSpan.Zero, CancellationToken.None);
            Assert.Equal(CallState.Completed, lookup.State);
            Assert.Equal($"{i}", lookup.Result!.Value!.Value.GetRawText());
            Assert.Equal(Outcome(ids[i], "0").StartedAt, lookup.Result.StartedAt);
            Assert.Equal("fc-parent", await store.GetParentCallIdAsync(ids[i], CancellationToken.None));
        }
    }

    [Fact]
    public async Task RecordAsync_TwoOutcomesOfOneCallQueuedTogether_TheLaterStays()
    {
        await using var store = Schema.Store();
        var writes = new List<Task>();
        for (var round = 0; round < 20; round++)
        {
            writes.Add(store.RecordAsync(Outcome("fc-twice", $"{round}"), CancellationToken.None).AsTask());
            writes.Add(store.RecordAsync(Outcome($"fc-other-{round}", "1"), CancellationToken.None).AsTask());
        }

        await Task.WhenAll(writes);

        var lookup = await store.GetAsync("fc-twice", TimeSpan.Zero, CancellationToken.None);
        Assert.Equal("19", lookup.Result!.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task RecordAsync_ManyAtOnceWithOneCancelled_TheCancellationStays()
    {
        await using var store = Schema.Store();
        var ids = Enumerable.Range(0, 100).Select(i => $"fc-cancel-{i}").ToList();
        await Task.WhenAll(ids.Select(id => store.RegisterAsync(id, CancellationToken.None).AsTask()));
        Assert.True(await store.CancelAsync(ids[42], CancellationToken.None));

        await Task.WhenAll(ids.Select(id => store.RecordAsync(Outcome(id, "1"), CancellationToken.None).AsTask()));

        Assert.Equal(InvocationStatus.Cancelled, (await store.GetAsync(ids[42], TimeSpan.Zero, CancellationToken.None)).Result!.Status);
        Assert.Equal(InvocationStatus.Succeeded, (await store.GetAsync(ids[41], TimeSpan.Zero, CancellationToken.None)).Result!.Status);
    }

    [Fact]
    public async Task RecordAsync_WaiterOnOneOfManyRecordedTogether_WokenByItsNotificationNotByPolling()
    {
        // Polling only every ten minutes: within Patience the waiter can only have been woken by the merged notify.
        await using var store = Schema.Store(configure: o => o.PollInterval = TimeSpan.FromMinutes(10));
        var waited = $"fc-waited-{Guid.NewGuid():N}";
        await store.RegisterAsync(waited, CancellationToken.None);
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Parked = id => (id == waited ? parked : null)?.TrySetResult();
        var get = store.GetAsync(waited, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await parked.Task.WaitAsync(Patience);

        var ids = Enumerable.Range(0, 100).Select(i => $"fc-notified-{i}").Append(waited).ToList();
        await Task.WhenAll(ids.Select(id => store.RecordAsync(Outcome(id, "7"), CancellationToken.None).AsTask()));

        var lookup = await get.WaitAsync(Patience);
        Assert.Equal(CallState.Completed, lookup.State);
        Assert.Equal("7", lookup.Result!.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task RecordAsync_ErrorOutcomesAmongValues_EachKeepsItsOwnColumns()
    {
        await using var store = Schema.Store();
        var failed = Outcome("fc-failed", "0") with
        {
            Status = InvocationStatus.Failed,
            Value = null,
            Error = new RemoteError("System.InvalidOperationException", "It broke \"here\".", "at Run()"),
            Attempts = 3,
        };

        await Task.WhenAll(
            store.RecordAsync(Outcome("fc-value", "{\"a\": [1, 2]}"), CancellationToken.None).AsTask(),
            store.RecordAsync(failed, CancellationToken.None).AsTask(),
            store.RecordAsync(Outcome("fc-null", "null"), CancellationToken.None).AsTask());

        var value = (await store.GetAsync("fc-value", TimeSpan.Zero, CancellationToken.None)).Result!;
        Assert.Equal("{\"a\": [1, 2]}", value.Value!.Value.GetRawText());
        Assert.Null(value.Error);
        var error = (await store.GetAsync("fc-failed", TimeSpan.Zero, CancellationToken.None)).Result!;
        Assert.Equal(InvocationStatus.Failed, error.Status);
        Assert.Null(error.Value);
        Assert.Equal(failed.Error, error.Error);
        Assert.Equal(3, error.Attempts);
    }

    private static InvocationCompleted Outcome(string callId, string json)
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
}
