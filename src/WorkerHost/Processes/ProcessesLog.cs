using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.Processes;

/// <summary>Log messages of process containers; event ids 2220-2239.</summary>
internal static partial class ProcessesLog
{
    [LoggerMessage(2220, LogLevel.Information, "Pool {Queue}: container process {Pid} started (CUDA_VISIBLE_DEVICES={Gpus})")]
    public static partial void Started(ILogger logger, string queue, int pid, string gpus);

    [LoggerMessage(2221, LogLevel.Information, "Pool {Queue}: container process {Pid} ready after {Milliseconds} ms")]
    public static partial void Ready(ILogger logger, string queue, int pid, double milliseconds);

    [LoggerMessage(2222, LogLevel.Warning, "Pool {Queue}: container process {Pid} exited unexpectedly ({Exit}); its slots are released, its unacknowledged inputs go back to the queue, and a replacement starts when the pool has input")]
    public static partial void ExitedUnexpectedly(ILogger logger, string queue, int pid, string exit);

    [LoggerMessage(2223, LogLevel.Warning, "Pool {Queue}: container process {Pid} is killed ({Reason}); its exit hooks are skipped")]
    public static partial void Killing(ILogger logger, string queue, int pid, string reason);

    [LoggerMessage(2224, LogLevel.Warning, "Pool {Queue}: container process {Pid} did not stop within the grace period; killed")]
    public static partial void StopTimedOut(ILogger logger, string queue, int pid);

    [LoggerMessage(2225, LogLevel.Information, "Pool {Queue}: container process {Pid} stopped ({Exit})")]
    public static partial void Stopped(ILogger logger, string queue, int pid, string exit);

    [LoggerMessage(2226, LogLevel.Information, "Pool {Queue}: its container process crashed {Seconds:0.#} s ago; the replacement waits {WaitSeconds:0.#} s (EnterRestartBackoff)")]
    public static partial void BackingOff(ILogger logger, string queue, double seconds, double waitSeconds);

    [LoggerMessage(2227, LogLevel.Information, "Process container of pool {Queue} (GPUs: {Gpus})")]
    public static partial void ChildServing(ILogger logger, string queue, string gpus);

    [LoggerMessage(2228, LogLevel.Error, "Process container of pool {Queue}: the pool did not start here; the process exits")]
    public static partial void ChildPoolNotStarted(ILogger logger, string queue);

    [LoggerMessage(2229, LogLevel.Information, "Process container of pool {Queue}: the pool stopped ({Reason}); the process exits")]
    public static partial void ChildPoolEnded(ILogger logger, string queue, string reason);

    [LoggerMessage(2230, LogLevel.Warning, "Process container of pool {Queue}: its container is {Reason}; the process kills itself (exit hooks skipped) and the host starts a fresh one")]
    public static partial void ChildKillingItself(ILogger logger, string queue, string reason);
}
