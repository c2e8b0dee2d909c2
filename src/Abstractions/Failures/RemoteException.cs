using Pipeline.Messages.Invocations;

namespace Pipeline.Client;

/// <summary>
/// A call failed on the worker. Carries the worker's exception type, message and stack trace, and how the call ended
/// (<see cref="InvocationStatus.Failed"/>, <see cref="InvocationStatus.TimedOut"/>, <see cref="InvocationStatus.Rejected"/>...).
/// The client throws the subtype that says how: <see cref="RemoteFailedException"/>, <see cref="FunctionTimeoutException"/>,
/// <see cref="InputCancelledException"/>, <see cref="InputRejectedException"/> or <see cref="EnterFailedException"/>;
/// <c>catch (RemoteException)</c> catches them all. It lives in Pipeline.Abstractions (namespace kept) so that app code,
/// which references only that, can catch the subtypes too.
/// </summary>
public class RemoteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteException()
        : this("The remote call failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RemoteException(string message)
        : base(message)
    {
        RemoteType = "";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RemoteException(string message, Exception innerException)
        : base(message, innerException)
    {
        RemoteType = "";
    }

    /// <summary>Creates the exception for a subtype that knows how the call ended.</summary>
    /// <param name="status">How the call ended.</param>
    /// <param name="message">The message.</param>
    protected RemoteException(InvocationStatus status, string message)
        : base(message)
    {
        Status = status;
        RemoteType = "";
    }

    /// <summary>Creates the exception for a subtype that knows how the call ended, with a cause.</summary>
    /// <param name="status">How the call ended.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    protected RemoteException(InvocationStatus status, string message, Exception innerException)
        : base(message, innerException)
    {
        Status = status;
        RemoteType = "";
    }

    /// <summary>Creates the exception from a call's outcome.</summary>
    /// <param name="callId">The call.</param>
    /// <param name="status">How it ended.</param>
    /// <param name="error">The worker's error.</param>
    public RemoteException(string callId, InvocationStatus status, RemoteError error)
        : base($"{error?.Type}: {error?.Message}")
    {
        ArgumentNullException.ThrowIfNull(error);
        CallId = callId;
        Status = status;
        RemoteType = error.Type;
        RemoteMessage = error.Message;
        RemoteStackTrace = error.StackTrace;
    }

    /// <summary>The call that failed.</summary>
    public string? CallId { get; }

    /// <summary>How the call ended.</summary>
    public InvocationStatus Status { get; } = InvocationStatus.Failed;

    /// <summary>The full name of the exception type thrown on the worker.</summary>
    public string RemoteType { get; }

    /// <summary>The worker exception's own message.</summary>
    public string? RemoteMessage { get; }

    /// <summary>The worker's stack trace.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>The exception, with the worker's stack trace after the local one.</summary>
    public override string ToString() => RemoteStackTrace is null
        ? base.ToString()
        : $"{base.ToString()}{Environment.NewLine}--- Remote stack trace ({RemoteType}) ---{Environment.NewLine}{RemoteStackTrace}";
}
