namespace Pipeline.Messages.Invocations;

/// <summary>
/// Cancels a call: published to every worker host. A running attempt has its <see cref="System.Threading.CancellationToken"/>
/// cancelled, and an input not yet started is dropped when it arrives. A cancelled call is never retried.
/// </summary>
public sealed record CancelInvocation
{
    /// <summary>The call id to cancel.</summary>
    public required string CallId { get; init; }
}
