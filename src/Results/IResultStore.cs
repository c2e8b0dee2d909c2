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

    /// <summary>Records a call's outcome; a later record for the same call replaces it.</summary>
    /// <param name="result">The outcome.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask RecordAsync(InvocationCompleted result, CancellationToken cancellationToken);

    /// <summary>Looks a call up, waiting up to <paramref name="timeout"/> for it to complete; zero looks once.</summary>
    /// <param name="callId">The call id.</param>
    /// <param name="timeout">How long to wait for completion; <see cref="Timeout.InfiniteTimeSpan"/> waits until done.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    ValueTask<CallLookup> GetAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken);
}
