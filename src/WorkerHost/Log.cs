using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost;

/// <summary>Log messages of Pipeline.WorkerHost; event ids 2000-2999.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Pool {Queue} starting for {Target}")]
    public static partial void PoolStarting(ILogger logger, string queue, string target);

    [LoggerMessage(2001, LogLevel.Information, "Pool {Queue} consuming")]
    public static partial void PoolConsuming(ILogger logger, string queue);

    [LoggerMessage(2002, LogLevel.Warning, "Pool notice for {Queue} ignored: {Reason}")]
    public static partial void DemandIgnored(ILogger logger, string queue, string reason);

    [LoggerMessage(2003, LogLevel.Information, "Stopping {Count} pool(s); grace period {GraceSeconds} s")]
    public static partial void Stopping(ILogger logger, int count, double graceSeconds);

    [LoggerMessage(2004, LogLevel.Information, "Worker host serving apps: {Apps}")]
    public static partial void Serving(ILogger logger, string apps);
}
