using Pipeline.Client;
using Pipeline.Messages.Invocations;

namespace Pipeline;

/// <summary>The last attempt ran past the function's timeout (<c>Timeout</c> on <c>[Function]</c> or <c>[Cls]</c>; default 300 s). Status <see cref="InvocationStatus.TimedOut"/>.</summary>
public sealed class FunctionTimeoutException : RemoteException
{
    /// <summary>Creates the exception.</summary>
    public FunctionTimeoutException()
        : base(InvocationStatus.TimedOut, "The remote call timed out.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public FunctionTimeoutException(string message)
        : base(InvocationStatus.TimedOut, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FunctionTimeoutException(string message, Exception innerException)
        : base(InvocationStatus.TimedOut, message, innerException)
    {
    }

    /// <summary>Creates the exception from a call's outcome.</summary>
    /// <param name="callId">The call.</param>
    /// <param name="error">The worker's error.</param>
    public FunctionTimeoutException(string callId, RemoteError error)
        : base(callId, InvocationStatus.TimedOut, error)
    {
    }
}
