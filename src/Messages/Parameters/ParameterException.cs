namespace Pipeline.Messages.Parameters;

/// <summary>A parameter set that cannot be used: missing, unknown, mistyped or too large. The message names the fix.</summary>
public sealed class ParameterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ParameterException()
    {
    }

    /// <summary>Creates the exception with a message that names the problem and the fix.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public ParameterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public ParameterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
