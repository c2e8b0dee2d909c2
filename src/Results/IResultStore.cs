using Pipeline.Messages.Invocations;

namespace Pipeline.Results;

/// <summary>
/// Keeps the outcomes of spawned calls so that <c>get</c> works by id, from any process, for the retention
/// period (7 days by default, Modal's rule). Implementations must be safe for concurrent use.
/// </summary>
public interface IResultStore
{
    /// <summary>Records that a call was spawned and is pending.</summary>
    /// <param name="callId">The call id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask RegisterAsync(string callId, CancellationToken cancellationToken);

    /// <summary>Records that a call was spawned and is pending, with the call it was made from (its parent).</summary>
    /// <param name="callId">The call id.</param>
    /// <param name="parentCallId">The call whose code made this one; null for a call from outside any function.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask RegisterAsync(string callId, string? parentCallId, CancellationToken cancellationToken) => RegisterAsync(callId, cancellationToken);

    /// <summary>The parent a call was registered with (<see cref="RegisterAsync(string, string?, CancellationToken)"/>); null when it has none or is unknown.</summary>
    /// <param name="callId">The call id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<string?> GetParentCallIdAsync(string callId, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    /// <summary>
    /// Records a call's outcome; a later record for the same call replaces it, except that a cancelled call stays cancelled
    /// (a worker that finishes after <see cref="CancelAsync"/> does not overwrite the cancellation).
    /// </summary>
    /// <param name="result">The outcome.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask RecordAsync(InvocationCompleted result, CancellationToken cancellationToken);

    /// <summary>Looks a call up, waiting up to <paramref name="timeout"/> for it to complete; zero looks once.</summary>
    /// <param name="callId">The call id.</param>
    /// <param name="timeout">How long to wait for completion; <see cref="Timeout.InfiniteTimeSpan"/> waits until done.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    ValueTask<CallLookup> GetAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Claims an idempotency key for a call. Returns the id of the call that owns the key: <paramref name="callId"/> itself
    /// when the key was free (or its owner's claim expired), else the earlier call's id. Claims expire with the retention
    /// period, counted from the claim. Two claims of one key at the same moment, from any processes, agree on one owner.
    /// </summary>
    /// <param name="idempotencyKey">The key: 1 to 200 characters, no NUL character.</param>
    /// <param name="callId">The call that wants the key.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The id of the call that owns the key.</returns>
    /// <exception cref="ArgumentException">The key is empty, longer than 200 characters, or holds a NUL character.</exception>
    ValueTask<string> ClaimAsync(string idempotencyKey, string callId, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="callId"/> duplicates <paramref name="ownerCallId"/> (same idempotency key): from now on,
    /// looking <paramref name="callId"/> up (<see cref="GetAsync"/>, waits included) answers with the owner's state and the
    /// owner's result (the <see cref="InvocationCompleted"/> keeps the owner's <see cref="InvocationCompleted.CallId"/>), and
    /// <see cref="CancelAsync"/> on it cancels the owner. The link is followed once: the owner's own link, if any, is not.
    /// </summary>
    /// <param name="callId">The duplicate call.</param>
    /// <param name="ownerCallId">The call that owns the key; must differ from <paramref name="callId"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ArgumentException">The two ids are the same.</exception>
    ValueTask RecordDuplicateAsync(string callId, string ownerCallId, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a call that is pending: records an outcome with <see cref="InvocationStatus.Cancelled"/>, the attempts recorded
    /// so far (0 if none), the error <c>Pipeline.CallCancelledException</c> "Call {id} was cancelled.", and wakes waiters.
    /// A duplicate's id cancels its owner (see <see cref="RecordDuplicateAsync"/>).
    /// </summary>
    /// <param name="callId">The call to cancel.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True if the call was pending and is now cancelled; false if it had already finished or is unknown (then nothing changes).</returns>
    ValueTask<bool> CancelAsync(string callId, CancellationToken cancellationToken);
}
