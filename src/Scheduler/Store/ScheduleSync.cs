using Microsoft.Extensions.Logging;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Quartz;

namespace Pipeline.Scheduler.Store;

/// <summary>
/// Writes the schedules into the store at start-up. A schedule whose trigger is already stored with the same timing is
/// left alone, so a restart keeps its next fire, its missed fires (for the misfire policy) and a period's anchor; a
/// changed timing replaces the trigger and keeps the job's state; a schedule no longer defined is deleted.
/// </summary>
internal static class ScheduleSync
{
    public static async Task ApplyAsync(IScheduler scheduler, ScheduleSet schedules, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var stored = await scheduler.QueryJobs(
            new JobQuery { Group = GroupMatcher<JobKey>.GroupEquals(ScheduleTriggers.Group), Take = PagedQuery.All },
            cancellationToken).ConfigureAwait(false);
        foreach (var header in stored.Items.Where(h => schedules.Find(h.Key.Name) is null))
        {
            await scheduler.DeleteJob(header.Key, cancellationToken).ConfigureAwait(false);
            Log.Removed(logger, header.Key.Name);
        }

        foreach (var schedule in schedules.All)
        {
            var trigger = ScheduleTriggers.Trigger(schedule, time);
            var existing = await scheduler.GetTrigger(trigger.Key, cancellationToken).ConfigureAwait(false);
            if (!await scheduler.Exists(ScheduleTriggers.JobKey(schedule.Name), cancellationToken).ConfigureAwait(false))
            {
                await scheduler.ScheduleJob(ScheduleTriggers.Job(schedule), [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
                Log.Stored(logger, schedule.Name, "added", schedule.Timing.Text, schedule.TimeZone.Id);
            }
            else if (existing is null)
            {
                await scheduler.ScheduleJob(trigger, default, cancellationToken).ConfigureAwait(false);
                Log.Stored(logger, schedule.Name, "added", schedule.Timing.Text, schedule.TimeZone.Id);
            }
            else if (!Equals(existing.JobDataMap.TryGetValue(ScheduleTriggers.FingerprintKey, out var fingerprint) ? fingerprint : null, ScheduleTriggers.Fingerprint(schedule)))
            {
                await scheduler.RescheduleJob(trigger.Key, trigger, cancellationToken).ConfigureAwait(false);
                Log.Stored(logger, schedule.Name, "changed", schedule.Timing.Text, schedule.TimeZone.Id);
            }
        }
    }
}
