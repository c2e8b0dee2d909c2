namespace Pipeline.Messages.Invocations;

/// <summary>How an invocation ended.</summary>
public enum InvocationStatus
{
    /// <summary>The function returned; the value is in the result.</summary>
    Succeeded,

    /// <summary>The function threw on its last attempt.</summary>
    Failed,

    /// <summary>The last attempt ran past the function's timeout.</summary>
    TimedOut,

    /// <summary>The call was cancelled by its caller.</summary>
    Cancelled,

    /// <summary>The input was refused before running: unknown function, bad arguments or parameters.</summary>
    Rejected,

    /// <summary>The container's <c>[Enter]</c> hook threw, so the input could not run.</summary>
    EnterFailed,
}
