namespace Pipeline.Client;

/// <summary>
/// A spawned typed call: <see cref="GetAsync"/> reads its result as <typeparamref name="TResult"/>. Rebuild it in
/// another process from <see cref="Id"/> with <c>client.Call&lt;TResult&gt;(id)</c>.
/// </summary>
/// <typeparam name="TResult">The method's result type.</typeparam>
public sealed class FunctionCall<TResult>
{
    internal FunctionCall(FunctionCall call) => Untyped = call;

    /// <summary>The call id (<c>fc-...</c>).</summary>
    public string Id => Untyped.Id;

    /// <summary>The same call, untyped.</summary>
    public FunctionCall Untyped { get; }

    /// <summary>Waits for the result. <paramref name="timeout"/> null waits until done; zero looks once. May be called again.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="TimeoutException">The call has not finished within <paramref name="timeout"/>.</exception>
    /// <exception cref="OutputExpiredException">The call is unknown, or its result expired.</exception>
    /// <exception cref="RemoteException">A subtype saying how the call failed: <see cref="FunctionTimeoutException"/>, <see cref="InputCancelledException"/>...</exception>
    public Task<TResult> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Untyped.GetAsync<TResult>(timeout, cancellationToken);

    /// <summary>Cancels the call; see <see cref="FunctionCall.CancelAsync(CancellationToken)"/>.</summary>
    /// <param name="cancellationToken">Cancels the request to cancel.</param>
    /// <returns>True if the call was pending and is now cancelled.</returns>
    public Task<bool> CancelAsync(CancellationToken cancellationToken = default) => Untyped.CancelAsync(cancellationToken);

    /// <inheritdoc />
    public override string ToString() => Id;
}
