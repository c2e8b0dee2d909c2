using Pipeline.Client;
using Pipeline.Messages.Invocations;

namespace Pipeline;

/// <summary>Turns a call's outcome into the exception that says how it ended.</summary>
internal static class RemoteExceptions
{
    public static RemoteException From(string callId, InvocationStatus status, RemoteError? error)
    {
        error ??= new RemoteError("Unknown", $"The call ended {status} without an error.", null);
        return status switch
        {
            InvocationStatus.Failed => new RemoteFailedException(callId, error),
            InvocationStatus.TimedOut => new FunctionTimeoutException(callId, error),
            InvocationStatus.Cancelled => new InputCancelledException(callId, error),
            InvocationStatus.Rejected => new InputRejectedException(callId, error),
            InvocationStatus.EnterFailed => new EnterFailedException(callId, error),
            _ => new RemoteException(callId, status, error),
        };
    }
}
