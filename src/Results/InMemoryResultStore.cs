using System.Collections.Concurrent;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results;

/// <summary>The embedded mode's store: results in memory, kept for <see cref="Retention"/>, lost when the process ends.</summary>
/// <param name="time">The clock; retention is measured with it.</param>
/// <param name="retention">How long a finished call's result, and an idempotency key's claim, is kept; default 7 days.</param>
public sealed class InMemoryResultStore(TimeProvider time, TimeSpan? retention = null) : IResultStore
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Entry> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Claim> _claims = new(StringComparer.Ordinal);
    private DateTimeOffset _nextPurge = DateTimeOffset.MinValue;

    /// <summary>How long a finished call's result is kept.</summary>
    public TimeSpan Retention { get; } = retention ?? TimeSpan.FromDays(7);

    /// <summary>
    /// Test seam: called each time a waiter has looked, found the call pending, and starts waiting, with the id whose changes
    /// it waits for: the call's own, or its owner's for a duplicate.
    /// </summary>
    internal Action<string>? Parked { get; set; }

    /// <inheritdoc />
    public ValueTask RegisterAsync(string callId, CancellationToken cancellationToken) => RegisterAsync(callId, null, cancellationToken);

    /// <inheritdoc />
    public ValueTask RegisterAsync(string callId, string? parentCallId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        _calls.TryAdd(callId, new Entry(time.GetUtcNow()) { ParentCallId = parentCallId });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<string?> GetParentCallIdAsync(string callId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_calls.TryGetValue(callId, out var entry) ? entry.ParentCallId : null);

    /// <inheritdoc />
    public ValueTask RecordAsync(InvocationCompleted result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var now = time.GetUtcNow();
        _calls.GetOrAdd(result.CallId, _ => new Entry(now)).Record(result, now);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<CallLookup> GetAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        Purge();
        var started = time.GetTimestamp();
        while (true)
        {
            if (!_calls.TryGetValue(callId, out var entry))
            {
                return new CallLookup(CallState.Unknown, null);
            }

            // The link is read with the task its next change completes, so a link made after this look wakes the wait.
            var (duplicateOf, linkChanged) = entry.Link();
            var owner = entry;
            if (duplicateOf is not null && !_calls.TryGetValue(duplicateOf, out owner))
            {
                return new CallLookup(CallState.Unknown, null);
            }

            if (owner.Result is { } result)
            {
                return new CallLookup(CallState.Completed, result);
            }

            var remaining = timeout == Timeout.InfiniteTimeSpan ? timeout : timeout - time.GetElapsedTime(started);
            if (timeout == TimeSpan.Zero || (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero))
            {
                return new CallLookup(CallState.Pending, null);
            }

            Parked?.Invoke(duplicateOf ?? callId);
            try
            {
                await Task.WhenAny(owner.Outcome, linkChanged).WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Still pending: the look above answers once more, and the caller decides what a wait that ran out means.
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<string> ClaimAsync(string idempotencyKey, string callId, CancellationToken cancellationToken)
    {
        IdempotencyKey.Validate(idempotencyKey, nameof(idempotencyKey));
        ArgumentNullException.ThrowIfNull(callId);
        Purge();
        var now = time.GetUtcNow();

        // AddOrUpdate stores one value per key atomically: of two claims at once, one wins and both return the winner.
        var claim = _claims.AddOrUpdate(
            idempotencyKey,
            static (_, mine) => mine,
            static (_, held, mine) => held.ExpiresAt < mine.ClaimedAt ? mine : held,
            new Claim(callId, now, AddClamped(now, Retention)));
        return ValueTask.FromResult(claim.CallId);
    }

    /// <inheritdoc />
    public ValueTask RecordDuplicateAsync(string callId, string ownerCallId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentNullException.ThrowIfNull(ownerCallId);
        if (string.Equals(callId, ownerCallId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Call {callId} cannot duplicate itself; record a duplicate only when the key's owner is another call.", nameof(ownerCallId));
        }

        var now = time.GetUtcNow();
        _calls.GetOrAdd(callId, _ => new Entry(now)).LinkTo(ownerCallId);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> CancelAsync(string callId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        if (!_calls.TryGetValue(callId, out var entry))
        {
            return ValueTask.FromResult(false);
        }

        // A duplicate is the same call under another id: cancelling it cancels the owner.
        var (duplicateOf, _) = entry.Link();
        var owner = entry;
        if (duplicateOf is not null && !_calls.TryGetValue(duplicateOf, out owner))
        {
            return ValueTask.FromResult(false);
        }

        return ValueTask.FromResult(owner.Cancel(duplicateOf ?? callId, time.GetUtcNow()));
    }

    private static DateTimeOffset AddClamped(DateTimeOffset time, TimeSpan span) =>
        span >= DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;

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
            if (entry.Link().DuplicateOf is null && entry.FinishedAt is { } finished && finished < cutoff)
            {
                _calls.TryRemove(id, out _);
            }
        }

        // A duplicate lives while its owner does; one whose owner never appeared goes after the retention period.
        foreach (var (id, entry) in _calls)
        {
            if (entry.Link().DuplicateOf is { } owner && !_calls.ContainsKey(owner) && entry.CreatedAt < cutoff)
            {
                _calls.TryRemove(id, out _);
            }
        }

        foreach (var pair in _claims)
        {
            if (pair.Value.ExpiresAt < now)
            {
                // Removes only this claim, not one that replaced it meanwhile.
                _claims.TryRemove(pair);
            }
        }
    }

    private sealed record Claim(string CallId, DateTimeOffset ClaimedAt, DateTimeOffset ExpiresAt);

    private sealed class Entry(DateTimeOffset createdAt)
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource<InvocationCompleted> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _linkChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? _duplicateOf;
        private volatile InvocationCompleted? _result;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public string? ParentCallId { get; init; }

        /// <summary>Completes with the first outcome recorded.</summary>
        public Task Outcome => _outcome.Task;

        public DateTimeOffset? FinishedAt { get; private set; }

        public InvocationCompleted? Result => _result;

        public (string? DuplicateOf, Task Changed) Link()
        {
            lock (_lock)
            {
                return (_duplicateOf, _linkChanged.Task);
            }
        }

        public void LinkTo(string ownerCallId)
        {
            TaskCompletionSource changed;
            lock (_lock)
            {
                _duplicateOf = ownerCallId;
                changed = _linkChanged;
                _linkChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }

        public void Record(InvocationCompleted result, DateTimeOffset now)
        {
            lock (_lock)
            {
                // A later record replaces an earlier one, except that a cancelled call stays cancelled (IResultStore's contract).
                if (_result?.Status == InvocationStatus.Cancelled)
                {
                    return;
                }

                FinishedAt = now;
                _result = result;
            }

            _outcome.TrySetResult(result);
        }

        public bool Cancel(string callId, DateTimeOffset now)
        {
            InvocationCompleted cancelled;
            lock (_lock)
            {
                if (_result is not null)
                {
                    return false;
                }

                // A pending call here has made no attempt that was recorded.
                cancelled = new InvocationCompleted
                {
                    CallId = callId,
                    Status = InvocationStatus.Cancelled,
                    Error = CallCancellation.Error(callId),
                    Attempts = 0,
                    FinishedAt = now,
                };
                FinishedAt = now;
                _result = cancelled;
            }

            _outcome.TrySetResult(cancelled);
            return true;
        }
    }
}
