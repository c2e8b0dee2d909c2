using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.Store;

/// <summary>Log messages of the results store's outage handling and in-memory retries; event ids 2200-2219.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(2200, LogLevel.Warning, "Results store unavailable ({Operation}: {Reason}); inputs wait and try again, at most {MaxSeconds} s apart, until it answers")]
    public static partial void StoreUnavailable(ILogger logger, string operation, string reason, double maxSeconds);

    [LoggerMessage(2201, LogLevel.Debug, "Results store still unavailable ({Operation}: {Reason}); trying again in {DelayMs} ms")]
    public static partial void StoreStillUnavailable(ILogger logger, string operation, string reason, double delayMs);

    [LoggerMessage(2202, LogLevel.Information, "Results store answers again after {Seconds} s; waiting inputs go on")]
    public static partial void StoreBack(ILogger logger, double seconds);

    [LoggerMessage(2203, LogLevel.Warning, "Retry of call {CallId} for {Queue} could not be sent yet; trying again in {DelayMs} ms")]
    public static partial void RetrySendFailed(ILogger logger, Exception exception, string callId, string queue, double delayMs);

    [LoggerMessage(2204, LogLevel.Information, "Host stopping: sending {Count} waiting retry(ies) now instead of after their delay")]
    public static partial void RetriesFlushed(ILogger logger, int count);
}
