using Microsoft.Extensions.Logging;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Quartz;

namespace Pipeline.Scheduler.Store;

/// <summary>
/// Writes the schedules into the store at start-up. A schedule whose trigger is already stored with the same timing is
/// left alone, so a restart keeps its next fire, its missed fires (for the misfire policy) and a period's anchor; a
/// changed timing replaces the trigger (a new anchor) and keeps the job's state; a schedule whose trigger was lost (a
/// node died firing it and nobody recovered it) gets one back at the occurrence after the last one it handled, so the
/// misfire policy sees the gap; a schedule no longer defined is deleted.
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
            var key = ScheduleTriggers.TriggerKey(schedule.Name);
            var existing = await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false);
            var job = await scheduler.GetJobDetail(ScheduleTriggers.JobKey(schedule.Name), cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                if (ScheduleTriggers.First(schedule, time) is { } trigger)
                {
                    await scheduler.ScheduleJob(ScheduleTriggers.Job(schedule), [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
                    Log.Stored(logger, schedule.Name, "added", schedule.Timing.Text, schedule.TimeZone.Id);
                }
                else
                {
                    await scheduler.AddJob(ScheduleTriggers.Job(schedule), new AddJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (existing is null)
            {
                // Lost: pick up after the last occurrence handled, so what was missed meanwhile meets the misfire policy.
                // (A trigger without a next fire time is being fired by some instance, which moves it on: left alone.)
                var last = FireState.Read(job.JobDataMap).LastOccurrence;
                var trigger = ScheduleTriggers.First(schedule, time, last);
                await ReplaceAsync(scheduler, key, existing, trigger, cancellationToken).ConfigureAwait(false);
                Log.Stored(logger, schedule.Name, "restored", schedule.Timing.Text, schedule.TimeZone.Id);
            }
            else if (!Equals(existing.JobDataMap.TryGetValue(ScheduleTriggers.FingerprintKey, out var fingerprint) ? fingerprint : null, ScheduleTriggers.Fingerprint(schedule)))
            {
                await ReplaceAsync(scheduler, key, existing, ScheduleTriggers.First(schedule, time), cancellationToken).ConfigureAwait(false);
                Log.Stored(logger, schedule.Name, "changed", schedule.Timing.Text, schedule.TimeZone.Id);
            }
        }
    }

    private static async Task ReplaceAsync(IScheduler scheduler, TriggerKey key, ITrigger? existing, ITrigger? trigger, CancellationToken cancellationToken)
    {
        if (existing is not null)
        {
            await scheduler.UnscheduleJob(key, cancellationToken).ConfigureAwait(false);
        }

        if (trigger is not null)
        {
            await scheduler.ScheduleJob(trigger, default, cancellationToken).ConfigureAwait(false);
        }
    }
}
