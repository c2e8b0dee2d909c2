using Microsoft.Extensions.Logging;

namespace Pipeline.Results;

/// <summary>Log messages of Pipeline.Results; event ids 7000-7099. None takes the connection string: only its redacted form.</summary>
internal static partial class Log
{
    [LoggerMessage(7000, LogLevel.Information, "Results store ready: PostgreSQL {Target}, table {Schema}.calls")]
    public static partial void SchemaReady(ILogger logger, string target, string schema);

    [LoggerMessage(7001, LogLevel.Debug, "Listening for call notifications on channel {Channel}")]
    public static partial void Listening(ILogger logger, string channel);

    [LoggerMessage(7002, LogLevel.Warning, "Listening for call notifications failed; waiters look every {PollMilliseconds} ms meanwhile, retrying in {RetrySeconds} s")]
    public static partial void ListenFailed(ILogger logger, Exception exception, double pollMilliseconds, double retrySeconds);

    [LoggerMessage(7003, LogLevel.Information, "Purged {Count} expired call result(s) from {Schema}.calls")]
    public static partial void Purged(ILogger logger, int count, string schema);

    [LoggerMessage(7004, LogLevel.Warning, "Purging expired call results from {Schema}.calls failed; trying again after the purge interval")]
    public static partial void PurgeFailed(ILogger logger, Exception exception, string schema);

    [LoggerMessage(7005, LogLevel.Error, "Results store cannot use PostgreSQL {Target} (schema {Schema})")]
    public static partial void SchemaFailed(ILogger logger, Exception exception, string target, string schema);

    [LoggerMessage(7006, LogLevel.Information, "Purged {Count} expired idempotency key claim(s) from {Schema}.idempotency")]
    public static partial void PurgedClaims(ILogger logger, int count, string schema);
}
