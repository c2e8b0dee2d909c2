using System.Globalization;
using Quartz;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// The one Quartz job type: every schedule is a job of this type named after the schedule. It reads the schedule's
/// state from the job data, lets <see cref="ScheduleFirer"/> handle the fire, and stores the new state (Quartz persists
/// it after the fire, and never runs two fires of one schedule at once, across the cluster). A fire whose spawn fails
/// (the broker unreachable) is retried by Quartz three times, 10 s apart, for the same occurrence and key.
/// </summary>
[RetryPolicy(3, "00:00:10")]
internal sealed class ScheduleJob(ScheduleFirer firer) : IJob
{
    /// <summary>The trigger data key that marks an operator's fire (<see cref="ScheduleBook.TriggerAsync"/>), with its time.</summary>
    public const string ManualKey = "pipeline-manual-at";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var trigger = context.Trigger;
        DateTimeOffset? manualAt = context.MergedJobDataMap.TryGetValue(ManualKey, out var manual) && manual is string text &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

        // The schedule's own trigger knows its fire times; an operator's one-off trigger does not, so ask the stored one.
        var schedule = manualAt is null
            ? trigger
            : await context.Scheduler.GetTrigger(ScheduleTriggers.TriggerKey(context.JobDetail.Key.Name), cancellationToken).ConfigureAwait(false);
        var request = new FireRequest(
            context.JobDetail.Key.Name,
            context.ScheduledFireTimeUtc ?? context.FireTimeUtc,
            FireState.Read(context.JobDetail.JobDataMap),
            after => schedule?.GetFireTimeAfter(after),
            schedule?.GetFireTimeAfter(context.FireTimeUtc),
            manualAt);
        var result = await firer.FireAsync(request, cancellationToken).ConfigureAwait(false);
        result.State.Write(context.JobDetail.JobDataMap);
    }
}
