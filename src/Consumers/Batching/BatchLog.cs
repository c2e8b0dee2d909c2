using Microsoft.Extensions.Logging;

namespace Pipeline.Consumers.Batching;

/// <summary>Log messages of batching, in Pipeline.Consumers' range: event ids 1020-1029. Never logs payloads.</summary>
internal static partial class BatchLog
{
    [LoggerMessage(1020, LogLevel.Debug, "Batch of {Size} for {Target} on container {ContainerId} starts; {Dropped} input(s) dropped before it ran")]
    public static partial void Running(ILogger logger, int size, string target, string containerId, int dropped);

    [LoggerMessage(1021, LogLevel.Warning, "Batch of {Size} for {Target} on container {ContainerId} {Status}; each of its inputs gets that outcome and follows its own retry policy")]
    public static partial void Failed(ILogger logger, int size, string target, string containerId, string status);

    [LoggerMessage(1022, LogLevel.Error, "Batch of {Size} for {Target} on container {ContainerId} broke in the batching code itself; its inputs fail")]
    public static partial void Broke(ILogger logger, Exception exception, int size, string target, string containerId);
}
