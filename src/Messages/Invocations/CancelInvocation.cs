using System.Text.Json.Serialization;

namespace Pipeline.Messages.Invocations;

/// <summary>
/// Cancels a call: published to every worker host. A running attempt has its <see cref="System.Threading.CancellationToken"/>
/// cancelled, and an input not yet started is dropped when it arrives. A cancelled call is never retried.
/// </summary>
public sealed record CancelInvocation
{
    /// <summary>The call id to cancel.</summary>
    public required string CallId { get; init; }

    /// <summary>
    /// Also replace the container running the call (Modal's <c>terminate_containers</c>): it takes no more input and a
    /// fresh one serves the pool. Optional on the wire (<c>"terminateContainers": true</c>); absent means false.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TerminateContainers { get; init; }
}
