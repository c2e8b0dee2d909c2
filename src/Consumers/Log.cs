using Microsoft.Extensions.Logging;

namespace Pipeline.Consumers;

/// <summary>Log messages of Pipeline.Consumers; event ids 1000-1999. Never logs payloads or credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Container {ContainerId} for {Queue} entering ({Parameters})")]
    public static partial void Entering(ILogger logger, string containerId, string queue, string parameters);

    [LoggerMessage(1001, LogLevel.Information, "Container {ContainerId} for {Queue} ready after {ElapsedMs} ms")]
    public static partial void Entered(ILogger logger, string containerId, string queue, double elapsedMs);

    [LoggerMessage(1002, LogLevel.Error, "Container {ContainerId} for {Queue} failed in enter hook {Hook}; its inputs get the error and exit will not run")]
    public static partial void EnterFailed(ILogger logger, Exception exception, string containerId, string queue, string hook);

    [LoggerMessage(1003, LogLevel.Information, "Container {ContainerId} for {Queue} exiting")]
    public static partial void Exiting(ILogger logger, string containerId, string queue);

    [LoggerMessage(1004, LogLevel.Error, "Container {ContainerId} for {Queue}: exit hook {Hook} failed; later exit hooks are skipped")]
    public static partial void ExitFailed(ILogger logger, Exception exception, string containerId, string queue, string hook);

    [LoggerMessage(1005, LogLevel.Warning, "Container {ContainerId} for {Queue}: exit hooks did not finish within the {GraceSeconds} s grace period")]
    public static partial void ExitTimedOut(ILogger logger, string containerId, string queue, double graceSeconds);

    [LoggerMessage(1006, LogLevel.Information, "Container {ContainerId} for {Queue} stopped")]
    public static partial void Stopped(ILogger logger, string containerId, string queue);

    [LoggerMessage(1010, LogLevel.Warning, "Call {CallId} to {Target} rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, string callId, string target, string reason);

    [LoggerMessage(1011, LogLevel.Warning, "Call {CallId} to {Target} attempt {Attempt} {Status}; retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string callId, string target, int attempt, string status, double delayMs);

    [LoggerMessage(1012, LogLevel.Debug, "Call {CallId} to {Target} {Status} after {Attempts} attempt(s)")]
    public static partial void Completed(ILogger logger, string callId, string target, string status, int attempts);

    [LoggerMessage(1007, LogLevel.Debug, "Container {ContainerId} for {Queue}: {What} was given up on ({Why}) but its code is still running; the container takes no input until it ends")]
    public static partial void AttemptAbandoned(ILogger logger, string containerId, string queue, string what, string why);

    [LoggerMessage(1008, LogLevel.Error, "Container {ContainerId} for {Queue} is stuck: {What} has run {ElapsedSeconds:0.#} s and ignored its cancellation for {GraceSeconds} s (.NET cannot abort a thread); the container takes no more input, a fresh one replaces it, and its exit hooks run only when that attempt returns")]
    public static partial void AttemptStuck(ILogger logger, string containerId, string queue, string what, double elapsedSeconds, double graceSeconds);

    [LoggerMessage(1013, LogLevel.Warning, "Container {ContainerId} for {Queue}: stuck {What} returned after {ElapsedSeconds:0.#} s; its result is dropped and the container's exit hooks run now")]
    public static partial void StuckAttemptReturned(ILogger logger, string containerId, string queue, string what, double elapsedSeconds);

    [LoggerMessage(1014, LogLevel.Information, "Container {ContainerId} for {Queue} is terminated by the cancel of {What}: it takes no more input and a fresh one replaces it")]
    public static partial void ContainerTerminated(ILogger logger, string containerId, string queue, string what);

    [LoggerMessage(1015, LogLevel.Warning, "Container {ContainerId} for {Queue} is asked to stop while a stuck attempt still runs in it: its exit hooks wait for that attempt to return (they are skipped if the process ends first)")]
    public static partial void ExitDeferred(ILogger logger, string containerId, string queue);

    [LoggerMessage(1009, LogLevel.Information, "Container {ContainerId} for {Queue}: {What}, given up on earlier, has now returned ({Outcome})")]
    public static partial void AbandonedAttemptEnded(ILogger logger, string containerId, string queue, string what, string outcome);

    [LoggerMessage(1020, LogLevel.Warning, "A reply to {Address} failed ({Reason}); trying once more")]
    public static partial void ReplyRetried(ILogger logger, string address, string reason);

    [LoggerMessage(1021, LogLevel.Warning, "A reply to {Address} cannot be sent: {Reason}; the input goes to its _error queue")]
    public static partial void ReplyUndeliverable(ILogger logger, string address, string reason);

    [LoggerMessage(1022, LogLevel.Warning, "Input on {Queue} refused before it ran: {Reason}")]
    public static partial void InputRefused(ILogger logger, string queue, string reason);
}
