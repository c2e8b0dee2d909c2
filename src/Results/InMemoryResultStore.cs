using System.Collections.Concurrent;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results;

/// <summary>The embedded mode's store: results in memory, kept for <see cref="Retention"/>, lost when the process ends.</summary>
/// <param name="time">The clock; retention is measured with it.</param>
/// <param name="retention">How long a finished call's result is kept; default 7 days.</param>
public sealed class InMemoryResultStore(TimeProvider time, TimeSpan? retention = null) : IResultStore
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Entry> _calls = new(StringComparer.Ordinal);
    private DateTimeOffset _nextPurge = DateTimeOffset.MinValue;

    /// <summary>How long a finished call's result is kept.</summary>
    public TimeSpan Retention { get; } = retention ?? TimeSpan.FromDays(7);

    /// <inheritdoc />
    public ValueTask RegisterAsync(string callId, CancellationToken cancellationToken)
    {
        _calls.TryAdd(callId, new Entry());
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RecordAsync(InvocationCompleted result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var entry = _calls.GetOrAdd(result.CallId, _ => new Entry());
        entry.FinishedAt = time.GetUtcNow();

        // A later record replaces an earlier one (the contract of IResultStore).
        entry.Result = result;
        entry.Outcome.TrySetResult(result);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<CallLookup> GetAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Purge();
        if (!_calls.TryGetValue(callId, out var entry))
        {
            return new CallLookup(CallState.Unknown, null);
        }

        if (!entry.Outcome.Task.IsCompleted && timeout != TimeSpan.Zero)
        {
            try
            {
                await entry.Outcome.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Still pending: the caller decides what a wait that ran out means.
            }
        }

        return entry.Result is { } result
            ? new CallLookup(CallState.Completed, result)
            : new CallLookup(CallState.Pending, null);
    }

    private void Purge()
    {
        var now = time.GetUtcNow();
        if (now < _nextPurge)
        {
            return;
        }

        _nextPurge = now + PurgeInterval;
        var cutoff = now - Retention;
        foreach (var (id, entry) in _calls)
        {
            if (entry.FinishedAt is { } finished && finished < cutoff)
            {
                _calls.TryRemove(id, out _);
            }
        }
    }

    private sealed class Entry
    {
        public TaskCompletionSource<InvocationCompleted> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset? FinishedAt { get; set; }

        public InvocationCompleted? Result { get; set; }
    }
}
