using Microsoft.Extensions.Logging;

namespace Pipeline.Scheduler;

/// <summary>Log messages of Pipeline.Scheduler; event ids 3000-3099. Never logs arguments or credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Scheduler {Instance} started ({Store}); {Count} schedule(s): {Schedules}")]
    public static partial void Started(ILogger logger, string instance, string store, int count, string schedules);

    [LoggerMessage(3001, LogLevel.Information, "Fired {Schedule} ({Target}) for {Occurrence} as call {CallId}, key {Key}; next fire {Next}")]
    public static partial void Fired(ILogger logger, string schedule, string target, string occurrence, string callId, string key, string next);

    [LoggerMessage(3002, LogLevel.Warning, "Schedule {Schedule} missed {Occurrence} by {Late}; Misfire={Misfire} (window {Window}, threshold {Threshold}), so it does not run")]
    public static partial void Missed(ILogger logger, string schedule, string occurrence, TimeSpan late, ScheduleMisfire misfire, TimeSpan window, TimeSpan threshold);

    [LoggerMessage(3003, LogLevel.Information, "Schedule {Schedule} skipped {Occurrence}: its previous call {CallId} is still running (Overlap=Skip); next fire {Next}")]
    public static partial void Overlapping(ILogger logger, string schedule, string occurrence, string callId, string next);

    [LoggerMessage(3004, LogLevel.Information, "Schedule {Schedule} runs {Occurrence} late by {Late} (Misfire=RunOnce)")]
    public static partial void CatchingUp(ILogger logger, string schedule, string occurrence, TimeSpan late);

    [LoggerMessage(3005, LogLevel.Error, "Schedule {Schedule} could not spawn {Target} for {Occurrence}; the fire is tried again in {Delay}")]
    public static partial void FireFailed(ILogger logger, Exception exception, string schedule, string target, string occurrence, TimeSpan delay);

    [LoggerMessage(3006, LogLevel.Debug, "Schedule {Schedule}: occurrence {Occurrence} was already handled")]
    public static partial void Duplicate(ILogger logger, string schedule, string occurrence);

    [LoggerMessage(3007, LogLevel.Warning, "The store has a schedule {Schedule} that this process does not define; not fired here (do all scheduler instances have the same schedules?)")]
    public static partial void UnknownSchedule(ILogger logger, string schedule);

    [LoggerMessage(3008, LogLevel.Information, "Schedule {Schedule} {Change} in the store ({Timing}, {Zone})")]
    public static partial void Stored(ILogger logger, string schedule, string change, string timing, string zone);

    [LoggerMessage(3009, LogLevel.Information, "Schedule {Schedule} removed from the store: no longer defined")]
    public static partial void Removed(ILogger logger, string schedule);

    [LoggerMessage(3010, LogLevel.Information, "Scheduler {Instance} stopping")]
    public static partial void Stopping(ILogger logger, string instance);

    [LoggerMessage(3011, LogLevel.Information, "No schedules defined; the scheduler does not start")]
    public static partial void NothingToSchedule(ILogger logger);

    [LoggerMessage(3012, LogLevel.Warning, "Schedule {Schedule} also missed every occurrence after {After} up to {Until}; Misfire={Misfire}; more than {Listed} in one go are not listed one by one")]
    public static partial void MissedMore(ILogger logger, string schedule, string after, string until, ScheduleMisfire misfire, int listed);

    [LoggerMessage(3013, LogLevel.Error, "Schedule {Schedule} could not spawn {Target} for the operator's fire {Key}; trigger it again")]
    public static partial void ManualFailed(ILogger logger, Exception exception, string schedule, string target, string key);

    [LoggerMessage(3014, LogLevel.Information, "Schedule {Schedule}: {Target} on {Kind} \"{Timing}\" in {Zone} (misfire {Misfire}, overlap {Overlap}); next fire {Next} ({Local})")]
    public static partial void Scheduled(ILogger logger, string schedule, string target, string kind, string timing, string zone, ScheduleMisfire misfire, ScheduleOverlap overlap, string next, string local);
}
