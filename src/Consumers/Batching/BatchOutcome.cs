using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Batching;

/// <summary>The outcome of one input of a batch, in the same shape the handler gives an unbatched one.</summary>
internal static class BatchOutcome
{
    public static InvocationCompleted Of(RunInvocation message, InvocationStatus status, DateTimeOffset started, DateTimeOffset finished, int attempts, JsonElement? value = null, RemoteError? error = null) => new()
    {
        CallId = message.CallId,
        Status = status,
        Value = value,
        Error = error,
        Attempts = attempts,
        StartedAt = started,
        FinishedAt = finished,
    };

    public static InvocationCompleted Cancelled(RunInvocation message, DateTimeOffset started, DateTimeOffset finished, int attempts) =>
        Of(message, InvocationStatus.Cancelled, started, finished, attempts, error: new RemoteError("Pipeline.CallCancelledException", $"Call {message.CallId} was cancelled.", null));
}
