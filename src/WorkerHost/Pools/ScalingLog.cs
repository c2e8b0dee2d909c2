using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.Pools;

/// <summary>Log messages of the autoscaler; event ids 2060-2069 (within the worker host's 2000-2099).</summary>
internal static partial class ScalingLog
{
    [LoggerMessage(2060, LogLevel.Information, "Pool {Queue}: container {Slot} ready (GPUs: {Gpus}; {Reason}); {Count} container(s) here")]
    public static partial void ContainerAdded(ILogger logger, string queue, int slot, string gpus, string reason, int count);

    [LoggerMessage(2061, LogLevel.Information, "Pool {Queue}: container {Slot} stopping: {Reason}; {Count} container(s) left here")]
    public static partial void ContainerStopping(ILogger logger, string queue, int slot, string reason, int count);

    [LoggerMessage(2062, LogLevel.Warning, "Pool {Queue}: a new container's enter failed; it is not added")]
    public static partial void ContainerEnterFailed(ILogger logger, string queue);

    [LoggerMessage(2063, LogLevel.Information, "Pool {Queue}: scaling settings now min {Min}, max {Max}, buffer {Buffer} (pipeline pools scale)")]
    public static partial void ScaleChanged(ILogger logger, string queue, string min, string max, string buffer);

    [LoggerMessage(2064, LogLevel.Warning, "Reading the pool scaling settings failed; keeping the last ones")]
    public static partial void OverridesFailed(ILogger logger, Exception exception);
}
