using System.Globalization;
using Quartz;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// The one Quartz job type: every schedule is a job of this type named after the schedule. It reads the schedule's
/// state from the job data, lets <see cref="ScheduleFirer"/> handle the fire, stores the new state (Quartz persists it
/// after the fire, and never runs two fires of one schedule at once, across the cluster), and sets the schedule's
/// one-shot trigger to the next occurrence. A fire whose spawn fails is tried again by the same trigger, for the same
/// occurrence and key; Quartz's own retries are off because they cannot outlive a one-shot trigger.
/// </summary>
[RetryPolicy(0)]
internal sealed class ScheduleJob(ScheduleFirer firer, TimeProvider time) : IJob
{
    /// <summary>The trigger data key that marks an operator's fire (<see cref="ScheduleBook.TriggerAsync"/>), with its time.</summary>
    public const string ManualKey = "pipeline-manual-at";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.JobDetail.Key.Name;
        var data = context.MergedJobDataMap;
        DateTimeOffset? manualAt = data.TryGetValue(ManualKey, out var manual) && manual is string text &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
        var state = FireState.Read(context.JobDetail.JobDataMap);
        if (manualAt is not null)
        {
            // An operator's one-off trigger: the schedule's own trigger and its occurrences stay as they are.
            var own = await context.Scheduler.GetTrigger(ScheduleTriggers.TriggerKey(name), cancellationToken).ConfigureAwait(false);
            var request = new FireRequest(name, manualAt.Value, manualAt.Value, state, manualAt, own?.NextFireTimeUtc);
            var manualResult = await firer.FireAsync(request, cancellationToken).ConfigureAwait(false);
            FireMetrics.Fired(name, manualResult.Outcome);
            manualResult.State.Write(context.JobDetail.JobDataMap);
            return;
        }

        // The schedule's trigger, or Quartz's recovery trigger after a node died firing (it carries the same data).
        var due = ScheduleTriggers.Due(context.Trigger);
        var anchor = ScheduleTriggers.Anchor(data) ?? due;
        FireResult result;
        try
        {
            result = await firer.FireAsync(new FireRequest(name, due, anchor, state), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Never leave a schedule without a trigger (shutting down mid-fire, say): the same occurrence comes again.
            await SetAsync(context, name, due, time.GetUtcNow() + ScheduleFirer.RetryDelay, anchor).ConfigureAwait(false);
            throw;
        }

        FireMetrics.Fired(name, result.Outcome);
        result.State.Write(context.JobDetail.JobDataMap);
        if (result.NextDue is { } nextDue)
        {
            await SetAsync(context, name, nextDue, result.NextAt ?? nextDue, anchor).ConfigureAwait(false);
        }
    }

    private static async Task SetAsync(IJobExecutionContext context, string name, DateTimeOffset due, DateTimeOffset fireAt, DateTimeOffset anchor)
    {
        // Rescheduling the running trigger replaces it; Quartz then does not delete it as a finished one-shot. Not
        // cancellable: a fire that has happened must leave its next trigger behind.
        var key = ScheduleTriggers.TriggerKey(name);
        var fingerprint = context.MergedJobDataMap.TryGetValue(ScheduleTriggers.FingerprintKey, out var stored) ? stored as string : null;
        var trigger = ScheduleTriggers.Trigger(name, fingerprint, due, fireAt, anchor);
        if (await context.Scheduler.RescheduleJob(key, trigger, CancellationToken.None).ConfigureAwait(false) is null)
        {
            // Not there (a recovery fire after its node died, say): store it anew.
            await context.Scheduler.ScheduleJob(trigger, default, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
