namespace Pipeline.Client;

/// <summary>The call is unknown here: never spawned, or its result passed the retention period and was purged.</summary>
public sealed class OutputExpiredException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutputExpiredException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public OutputExpiredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public OutputExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
