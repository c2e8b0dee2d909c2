namespace Pipeline.Results;

/// <summary>
/// The results store (PostgreSQL) did not answer: it is down, restarting, refusing connections (too many clients), or
/// unreachable. Nothing was lost by the failed operation itself; try again once the store is back. The message names the
/// server (host, port, database, user; never the password) and what to check. <see cref="Exception.InnerException"/> is
/// the database driver's error.
/// </summary>
public sealed class ResultStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResultStoreUnavailableException()
        : this("The results store (PostgreSQL) is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ResultStoreUnavailableException(string message)
        : base(message)
    {
        Target = "";
    }

    /// <summary>Creates the exception with a message and the driver's error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The driver's error.</param>
    public ResultStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Target = "";
    }

    private ResultStoreUnavailableException(string message, string target, Exception? innerException)
        : base(message, innerException)
    {
        Target = target;
    }

    /// <summary>The store's server, without credentials; empty when not known.</summary>
    public string Target { get; }

    /// <summary>The exception for a store at <paramref name="target"/> (redacted: no password) that failed with <paramref name="innerException"/>.</summary>
    internal static ResultStoreUnavailableException For(string target, Exception? innerException) => new(
        $"The results store (PostgreSQL {target}) is unavailable: {innerException?.Message} " +
        $"Check that the server is up and accepts connections (max_connections), and {PostgresResultStoreOptions.SectionName}:ConnectionString " +
        $"(else the {PostgresResultStoreOptions.EnvironmentVariable} environment variable); then try again: nothing was recorded by this attempt.",
        target,
        innerException);
}
