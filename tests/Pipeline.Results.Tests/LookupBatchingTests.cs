using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results.Tests;

/// <summary>
/// Lookups made at the same moment (a worker host looks every spawned input up before running it) share one read
/// (LookupBatcher): each still gets its own call's state, and a row that cannot be read fails only its own lookup.
/// </summary>
public sealed class LookupBatchingTests : PostgresTestBase
{
    [Fact]
    public async Task GetAsync_FourHundredAtOnce_EachItsOwnStateInFewerReadsThanLookups()
    {
        await using var store = Schema.Store();
        var pending = Enumerable.Range(0, 100).Select(i => $"fc-pending-{i}").ToList();
        var done = Enumerable.Range(0, 100).Select(i => $"fc-done-{i}").ToList();
        await Task.WhenAll(pending.Select(id => store.RegisterAsync(id, CancellationToken.None).AsTask()));
        await Task.WhenAll(done.Select((id, i) => store.RecordAsync(Outcome(id, i), CancellationToken.None).AsTask()));
        await store.RecordDuplicateAsync("fc-duplicate", done[5], CancellationToken.None);
        await store.GetAsync("fc-warm", TimeSpan.Zero, CancellationToken.None);
        var before = store.LookupReads;

        var asked = pending.Concat(done).Concat(Enumerable.Range(0, 100).Select(i => $"fc-unknown-{i}")).Concat(done).Append("fc-duplicate").ToList();
        var lookups = await Task.WhenAll(asked.Select(id => store.GetAsync(id, TimeSpan.Zero, CancellationToken.None).AsTask()));

        Assert.InRange(store.LookupReads - before, 1, asked.Count - 1);
        for (var i = 0; i < asked.Count; i++)
        {
            var id = asked[i];
            var expected = id.StartsWith("fc-pending", StringComparison.Ordinal) ? CallState.Pending
                : id.StartsWith("fc-unknown", StringComparison.Ordinal) ? CallState.Unknown
                : CallState.Completed;
            Assert.Equal(expected, lookups[i].State);
        }

        Assert.Equal("42", lookups[asked.IndexOf("fc-done-42")].Result!.Value!.Value.GetRawText());
        Assert.Equal(done[5], lookups[^1].Result!.CallId);
        Assert.Equal("5", lookups[^1].Result!.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task GetAsync_OneRowWithAnUnknownStatusAmongGoodOnes_OnlyItsLookupFails()
    {
        await using var store = Schema.Store();
        var ids = Enumerable.Range(0, 50).Select(i => $"fc-good-{i}").ToList();
        await Task.WhenAll(ids.Select(id => store.RecordAsync(Outcome(id, 1), CancellationToken.None).AsTask()));
        await store.RegisterAsync("fc-strange", CancellationToken.None);
        await Schema.ExecuteAsync("update $schema.calls set status = 'Vanished' where call_id = 'fc-strange'");

        var good = ids.Select(id => store.GetAsync(id, TimeSpan.Zero, CancellationToken.None).AsTask()).ToList();
        var strange = store.GetAsync("fc-strange", TimeSpan.Zero, CancellationToken.None).AsTask();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => strange);
        Assert.Contains("'Vanished'", error.Message, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(good), lookup => Assert.Equal(CallState.Completed, lookup.State));
    }

    private static InvocationCompleted Outcome(string callId, int value) => new()
    {
        CallId = callId,
        Status = InvocationStatus.Succeeded,
        Value = JsonSerializer.SerializeToElement(value),
        Attempts = 1,
        StartedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 1, TimeSpan.Zero),
    };
}
