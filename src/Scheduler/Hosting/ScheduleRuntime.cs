using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Scheduler.Firing;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Store;
using Quartz;

namespace Pipeline.Scheduler.Hosting;

/// <summary>
/// Owns the Quartz scheduler: makes the store ready, writes the schedules into it, starts firing, and stops (waiting
/// for a fire in progress). With no schedule defined it never starts Quartz at all.
/// </summary>
internal sealed class ScheduleRuntime(ScheduleSet schedules, ISchedulerFactory factory, IOptions<SchedulerOptions> settings, StoreConnections store, TimeProvider time, ILogger<ScheduleRuntime> logger) : IDisposable
{
    // How long a stop waits for a fire in progress (a spawn) before shutting Quartz down.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);

    private readonly SchedulerOptions _options = settings.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IScheduler? _scheduler;
    private bool _started;

    /// <summary>The scheduler over the store, created (not started) on first use; what the operator commands read and write.</summary>
    public async Task<IScheduler> SchedulerAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CreateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (schedules.All.Count == 0)
        {
            Log.NothingToSchedule(logger);
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var scheduler = await CreateAsync(cancellationToken).ConfigureAwait(false);
            var startup = _options.InMemory ? null : await StoreSchema.LockAndCreateAsync(store.DataSource, _options, cancellationToken).ConfigureAwait(false);
            await using (startup)
            {
                await ScheduleSync.ApplyAsync(scheduler, schedules, time, logger, cancellationToken).ConfigureAwait(false);
            }

            await scheduler.Start(cancellationToken).ConfigureAwait(false);
            _started = true;
            Log.Started(logger, scheduler.SchedulerInstanceId, _options.Redacted, schedules.All.Count, string.Join(", ", schedules.All.Select(s => s.Name)));
            foreach (var schedule in schedules.All)
            {
                // Another instance may be firing it right now (a one-shot trigger has no next time while it runs): then the clock says.
                var trigger = await scheduler.GetTrigger(ScheduleTriggers.TriggerKey(schedule.Name), cancellationToken).ConfigureAwait(false);
                var anchor = (trigger is null ? null : ScheduleTriggers.Anchor(trigger.JobDataMap)) ?? time.GetUtcNow();
                var next = trigger?.NextFireTimeUtc ?? Occurrences.ScheduleClock.For(schedule, anchor).NextAfter(time.GetUtcNow());
                Log.Scheduled(
                    logger,
                    schedule.Name,
                    schedule.Target,
                    schedule.Timing is CronTiming ? "cron" : "period",
                    schedule.Timing.Text,
                    schedule.TimeZone.Id,
                    schedule.Misfire,
                    schedule.Overlap,
                    next is { } utc ? ScheduleFirer.Utc(utc) : "none",
                    next is { } at ? TimeZoneInfo.ConvertTime(at, schedule.TimeZone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) + " " + schedule.TimeZone.Id : "never");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_scheduler is { } scheduler && scheduler.Status is not (SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown))
            {
                if (_started)
                {
                    Log.Stopping(logger, scheduler.SchedulerInstanceId);
                }

                // Stop taking fires first, and let a fire in progress finish while the scheduler still accepts changes: the
                // job moves its one-shot trigger on as its last step, which a shut-down scheduler would refuse (losing it).
                await scheduler.Standby(cancellationToken).ConfigureAwait(false);
                var deadline = time.GetUtcNow() + DrainTimeout;
                while ((await scheduler.QueryFireInstances(new FireInstanceQuery { SchedulerInstanceId = scheduler.SchedulerInstanceId }, cancellationToken).ConfigureAwait(false)).Items.Count > 0 && time.GetUtcNow() < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
                }

                await scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IScheduler> CreateAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is not null)
        {
            return _scheduler;
        }

        // The schema must exist before Quartz makes (or checks) its tables in it.
        if (!_options.InMemory)
        {
            await using var schema = await StoreSchema.LockAndCreateAsync(store.DataSource, _options, cancellationToken).ConfigureAwait(false);
            _scheduler = await factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _scheduler = await factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        }

        return _scheduler;
    }

    public void Dispose() => _gate.Dispose();
}
