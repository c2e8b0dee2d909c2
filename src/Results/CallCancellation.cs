using Pipeline.Messages.Invocations;

namespace Pipeline.Results;

/// <summary>The outcome <see cref="IResultStore.CancelAsync"/> records, the same in every store.</summary>
internal static class CallCancellation
{
    /// <summary>The error type a cancelled call reports.</summary>
    public const string ErrorType = "Pipeline.CallCancelledException";

    /// <summary>The error of a cancelled call.</summary>
    /// <param name="callId">The call that was cancelled.</param>
    /// <returns>The error.</returns>
    public static RemoteError Error(string callId) => new(ErrorType, Message(callId), null);

    /// <summary>The error message of a cancelled call.</summary>
    /// <param name="callId">The call that was cancelled.</param>
    /// <returns>The message.</returns>
    public static string Message(string callId) => $"Call {callId} was cancelled.";
}
