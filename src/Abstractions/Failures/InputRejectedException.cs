using Pipeline.Client;
using Pipeline.Messages.Invocations;

namespace Pipeline;

/// <summary>The input was refused before it ran: an unknown function, or arguments or parameters of the wrong number or type; the message names the problem. Status <see cref="InvocationStatus.Rejected"/>.</summary>
public sealed class InputRejectedException : RemoteException
{
    /// <summary>Creates the exception.</summary>
    public InputRejectedException()
        : base(InvocationStatus.Rejected, "The input was rejected.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public InputRejectedException(string message)
        : base(InvocationStatus.Rejected, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InputRejectedException(string message, Exception innerException)
        : base(InvocationStatus.Rejected, message, innerException)
    {
    }

    /// <summary>Creates the exception from a call's outcome.</summary>
    /// <param name="callId">The call.</param>
    /// <param name="error">The worker's error.</param>
    public InputRejectedException(string callId, RemoteError error)
        : base(callId, InvocationStatus.Rejected, error)
    {
    }
}
