using Pipeline.Client;
using Pipeline.Messages.Invocations;

namespace Pipeline;

/// <summary>The container's <c>[Enter]</c> hook threw, so the input could not run; <see cref="RemoteException.RemoteType"/> and the stack are the hook's. Status <see cref="InvocationStatus.EnterFailed"/>.</summary>
public sealed class EnterFailedException : RemoteException
{
    /// <summary>Creates the exception.</summary>
    public EnterFailedException()
        : base(InvocationStatus.EnterFailed, "The container failed to enter.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EnterFailedException(string message)
        : base(InvocationStatus.EnterFailed, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EnterFailedException(string message, Exception innerException)
        : base(InvocationStatus.EnterFailed, message, innerException)
    {
    }

    /// <summary>Creates the exception from a call's outcome.</summary>
    /// <param name="callId">The call.</param>
    /// <param name="error">The worker's error.</param>
    public EnterFailedException(string callId, RemoteError error)
        : base(callId, InvocationStatus.EnterFailed, error)
    {
    }
}
