namespace Pipeline.Client;

/// <summary>A spawned call (Modal's <c>FunctionCall</c>): wait for its result with <see cref="GetAsync{TResult}"/>, from any process, by <see cref="Id"/>.</summary>
public sealed class FunctionCall
{
    private readonly PipelineClient _client;

    internal FunctionCall(PipelineClient client, string id)
    {
        _client = client;
        Id = id;
    }

    /// <summary>The call id (<c>fc-...</c>); store it and rebuild the handle with <see cref="PipelineClient.Call"/>.</summary>
    public string Id { get; }

    /// <summary>
    /// Waits for the result. <paramref name="timeout"/> null waits until done; zero looks once.
    /// The result is kept, so this may be called again.
    /// </summary>
    /// <typeparam name="TResult">The type to read the result as.</typeparam>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="TimeoutException">The call has not finished within <paramref name="timeout"/>.</exception>
    /// <exception cref="OutputExpiredException">The call is unknown, or its result expired.</exception>
    /// <exception cref="RemoteException">The call failed, timed out on the worker, or was rejected.</exception>
    public async Task<TResult> GetAsync<TResult>(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var lookup = await _client.Results.GetAsync(Id, timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        return lookup.State switch
        {
            Results.CallState.Completed => FunctionHandle.Unwrap<TResult>(lookup.Result!),
            Results.CallState.Pending => throw new TimeoutException($"Call {Id} has not finished within {timeout?.TotalSeconds:0.###} s; it is still pending. Call GetAsync again later."),
            _ => throw new OutputExpiredException($"Call {Id} is unknown: it was never spawned with this results store, or its result expired and was purged."),
        };
    }

    /// <summary>
    /// Cancels the call (Modal's <c>FunctionCall.cancel()</c>): if it has not finished, <see cref="GetAsync{TResult}"/> throws a
    /// <see cref="RemoteException"/> with status <c>Cancelled</c> from now on, a running attempt has its cancellation token
    /// cancelled, an input still queued is dropped, and no retry follows. A call that already finished keeps its result.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request to cancel.</param>
    /// <returns>True if the call was pending and is now cancelled; false if it had finished or is unknown.</returns>
    public Task<bool> CancelAsync(CancellationToken cancellationToken = default) => _client.CancelAsync(Id, terminateContainers: false, cancellationToken);

    /// <summary>
    /// Cancels the call as <see cref="CancelAsync(CancellationToken)"/> does; with <paramref name="terminateContainers"/>
    /// (Modal's <c>cancel(terminate_containers=True)</c>) the container running it is also replaced: it takes no more
    /// input and a fresh container serves the pool. Its <c>exit</c> hooks run once the attempt has returned; an
    /// attempt that ignores its token past the host's <c>StuckAttemptGrace</c> is reported stuck.
    /// </summary>
    /// <param name="terminateContainers">Replace the container running the call.</param>
    /// <param name="cancellationToken">Cancels the request to cancel.</param>
    /// <returns>True if the call was pending and is now cancelled; false if it had finished or is unknown.</returns>
    public Task<bool> CancelAsync(bool terminateContainers, CancellationToken cancellationToken = default) =>
        _client.CancelAsync(Id, terminateContainers, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => Id;
}
