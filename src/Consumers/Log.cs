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

    [LoggerMessage(1008, LogLevel.Error, "Container {ContainerId} for {Queue} is broken: {Count} attempt(s) given up on still run {GraceSeconds} s later (.NET cannot abort a thread); it takes no more input, its exit hooks will not run, and a new container is entered for the next input")]
    public static partial void ContainerBroken(ILogger logger, string containerId, string queue, int count, double graceSeconds);

    [LoggerMessage(1009, LogLevel.Information, "Container {ContainerId} for {Queue}: {What}, given up on earlier, has now returned ({Outcome})")]
    public static partial void AbandonedAttemptEnded(ILogger logger, string containerId, string queue, string what, string outcome);

    [LoggerMessage(1020, LogLevel.Warning, "A reply to {Address} failed ({Reason}); trying once more")]
    public static partial void ReplyRetried(ILogger logger, string address, string reason);

    [LoggerMessage(1021, LogLevel.Warning, "A reply to {Address} cannot be sent: {Reason}; the input goes to its _error queue")]
    public static partial void ReplyUndeliverable(ILogger logger, string address, string reason);

    [LoggerMessage(1022, LogLevel.Warning, "Input on {Queue} refused before it ran: {Reason}")]
    public static partial void InputRefused(ILogger logger, string queue, string reason);
}
