using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Occurrences;
using Quartz;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// Turns a schedule into its Quartz job and trigger. Quartz does not compute the fire times: <see cref="ScheduleClock"/>
/// does, and each schedule has one one-shot trigger set to its next occurrence, which the job moves on to the next after
/// every fire (Quartz keeps a trigger that its job rescheduled while running). So what fires is exactly what the clock
/// says, across DST changes too, and the trigger carries the occurrence it stands for and a period's anchor. Its misfire
/// instruction is "fire now": whether a late fire runs is <see cref="MisfireRule"/>'s decision, not Quartz's.
/// </summary>
internal static class ScheduleTriggers
{
    /// <summary>The job and trigger group of every schedule.</summary>
    public const string Group = "pipeline-schedules";

    /// <summary>The trigger data key holding <see cref="Fingerprint"/>, to notice a changed definition at start-up.</summary>
    public const string FingerprintKey = "pipeline-timing";

    /// <summary>The trigger data key holding the occurrence the trigger stands for (UTC, round-trip format).</summary>
    public const string DueKey = "pipeline-due";

    /// <summary>The trigger data key holding where a period without <c>Start</c> counts from (UTC, round-trip format).</summary>
    public const string AnchorKey = "pipeline-anchor";

    public static JobKey JobKey(string schedule) => new(schedule, Group);

    public static TriggerKey TriggerKey(string schedule) => new(schedule, Group);

    /// <summary>What decides the fire times, hashed: the timing and the time zone (not the anchor of an unanchored period).</summary>
    public static string Fingerprint(ScheduleDefinition schedule) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"v2|{schedule.Timing.Fingerprint}|{schedule.TimeZone.Id}")))[..16];

    // Recovery: a node that dies while firing leaves the job to be run again by another (the key makes it run once).
    public static IJobDetail Job(ScheduleDefinition schedule) => JobBuilder.Create<ScheduleJob>()
        .WithIdentity(JobKey(schedule.Name))
        .WithDescription($"{schedule.Target} on {schedule.Timing.Text}")
        .StoreDurably()
        .RequestRecovery()
        .DisallowConcurrentExecution()
        .PersistJobDataAfterExecution()
        .Build();

    /// <summary>
    /// A new schedule's trigger: a period without <c>Start</c> is anchored at the clock's now (to the second) and first
    /// fires one period later; everything else at its next occurrence after now. Null when it never fires again.
    /// </summary>
    public static ITrigger? First(ScheduleDefinition schedule, TimeProvider time, DateTimeOffset? after = null)
    {
        var now = time.GetUtcNow();
        var anchor = ScheduleClock.AnchorAt(now);
        var due = ScheduleClock.For(schedule, anchor).NextAfter(after ?? now);
        return due is { } at ? Trigger(schedule, at, at, anchor) : null;
    }

    /// <summary>The schedule's trigger, standing for the occurrence <paramref name="due"/> and firing at <paramref name="fireAt"/>.</summary>
    public static ITrigger Trigger(ScheduleDefinition schedule, DateTimeOffset due, DateTimeOffset fireAt, DateTimeOffset anchor) =>
        Trigger(schedule.Name, Fingerprint(schedule), due, fireAt, anchor);

    /// <summary>A schedule's trigger by name, carrying the stored fingerprint along (what the job uses to move it on).</summary>
    public static ITrigger Trigger(string schedule, string? fingerprint, DateTimeOffset due, DateTimeOffset fireAt, DateTimeOffset anchor)
    {
        var builder = TriggerBuilder.Create()
            .WithIdentity(TriggerKey(schedule))
            .ForJob(JobKey(schedule))
            .UsingJobData(DueKey, Text(due))
            .UsingJobData(AnchorKey, Text(anchor))
            .StartAt(fireAt)
            .WithSimpleSchedule(simple => simple.WithRepeatCount(0).WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow));
        return (fingerprint is null ? builder : builder.UsingJobData(FingerprintKey, fingerprint)).Build();
    }

    /// <summary>The occurrence a stored trigger stands for; its start time for a trigger without one.</summary>
    public static DateTimeOffset Due(ITrigger trigger) => Read(trigger.JobDataMap, DueKey) ?? trigger.StartTimeUtc;

    /// <summary>The anchor stored with a trigger (or merged job data); null when there is none.</summary>
    public static DateTimeOffset? Anchor(JobDataMap data) => Read(data, AnchorKey);

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Read(JobDataMap data, string key) =>
        data.TryGetValue(key, out var value) && value is string text &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}
