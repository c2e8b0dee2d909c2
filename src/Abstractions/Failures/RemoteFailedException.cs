using Pipeline.Client;
using Pipeline.Messages.Invocations;

namespace Pipeline;

/// <summary>The function threw on its last attempt; <see cref="RemoteException.RemoteType"/>, <see cref="RemoteException.RemoteMessage"/> and <see cref="RemoteException.RemoteStackTrace"/> say what the worker threw. Status <see cref="InvocationStatus.Failed"/>.</summary>
public sealed class RemoteFailedException : RemoteException
{
    /// <summary>Creates the exception.</summary>
    public RemoteFailedException()
        : base(InvocationStatus.Failed, "The remote call failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RemoteFailedException(string message)
        : base(InvocationStatus.Failed, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RemoteFailedException(string message, Exception innerException)
        : base(InvocationStatus.Failed, message, innerException)
    {
    }

    /// <summary>Creates the exception from a call's outcome.</summary>
    /// <param name="callId">The call.</param>
    /// <param name="error">The worker's error.</param>
    public RemoteFailedException(string callId, RemoteError error)
        : base(callId, InvocationStatus.Failed, error)
    {
    }
}
