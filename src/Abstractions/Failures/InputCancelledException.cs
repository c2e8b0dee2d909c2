using Pipeline.Client;
using Pipeline.Messages.Invocations;

namespace Pipeline;

/// <summary>The call was cancelled (<c>FunctionCall.CancelAsync</c>, <c>pipeline cancel</c>, or a caller that gave up) before it finished. Status <see cref="InvocationStatus.Cancelled"/>.</summary>
public sealed class InputCancelledException : RemoteException
{
    /// <summary>Creates the exception.</summary>
    public InputCancelledException()
        : base(InvocationStatus.Cancelled, "The remote call was cancelled.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public InputCancelledException(string message)
        : base(InvocationStatus.Cancelled, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InputCancelledException(string message, Exception innerException)
        : base(InvocationStatus.Cancelled, message, innerException)
    {
    }

    /// <summary>Creates the exception from a call's outcome.</summary>
    /// <param name="callId">The call.</param>
    /// <param name="error">The worker's error.</param>
    public InputCancelledException(string callId, RemoteError error)
        : base(callId, InvocationStatus.Cancelled, error)
    {
    }
}
