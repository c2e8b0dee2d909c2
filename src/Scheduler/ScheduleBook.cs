using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Pipeline.Scheduler.Hosting;
using Pipeline.Scheduler.Occurrences;
using Quartz;

namespace Pipeline.Scheduler;

/// <summary>
/// The schedules of this process, for operators and tools: list them, see their next fire times, fire one now.
/// Resolve it from the services of a process that called <c>AddPipelineScheduler</c>, or take it from
/// <c>EmbeddedPipeline.Schedules</c>. Reading and triggering go through the schedule store, so a command-line process
/// sees (and adds to) what the running cluster fires.
/// </summary>
public sealed class ScheduleBook
{
    private readonly ScheduleSet _schedules;
    private readonly ScheduleRuntime _runtime;
    private readonly TimeProvider _time;

    internal ScheduleBook(ScheduleSet schedules, ScheduleRuntime runtime, TimeProvider time)
    {
        _schedules = schedules;
        _runtime = runtime;
        _time = time;
        Schedules = schedules.All.Select(Describe).ToList();
    }

    /// <summary>Every schedule, by name.</summary>
    public IReadOnlyList<ScheduleInfo> Schedules { get; }

    /// <summary>One schedule by name (any case: <c>NightlyReport</c> finds <c>nightly-report</c>).</summary>
    /// <param name="name">The schedule's name.</param>
    /// <exception cref="ArgumentException">No schedule has that name; the message lists the known ones.</exception>
    public ScheduleInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Describe(_schedules.Get(name));
    }

    /// <summary>
    /// The next fire times of a schedule after now, in UTC (convert with <see cref="TimeZoneInfo.ConvertTime(DateTimeOffset, TimeZoneInfo)"/>
    /// for the schedule's zone). A period without <c>Start</c> counts from the anchor stored with its trigger, so the
    /// times are the cluster's; before any instance stored it, from now, as if it were stored now.
    /// </summary>
    /// <param name="name">The schedule's name.</param>
    /// <param name="count">How many; 1 to 1000.</param>
    /// <param name="cancellationToken">Cancels reading the store.</param>
    /// <exception cref="ArgumentException">No schedule has that name.</exception>
    public Task<IReadOnlyList<DateTimeOffset>> NextFireTimesAsync(string name, int count = 5, CancellationToken cancellationToken = default) =>
        NextFireTimesAsync(name, count, _time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// The fire times of a schedule strictly after <paramref name="from"/>, in UTC: what the service fires, computed by
    /// the same code. A period without <c>Start</c> counts from the anchor stored with its trigger; before any instance
    /// stored it, from <paramref name="from"/>, as if it were stored then.
    /// </summary>
    /// <param name="name">The schedule's name.</param>
    /// <param name="count">How many; 1 to 1000.</param>
    /// <param name="from">The instant to count from.</param>
    /// <param name="cancellationToken">Cancels reading the store.</param>
    /// <exception cref="ArgumentException">No schedule has that name.</exception>
    public async Task<IReadOnlyList<DateTimeOffset>> NextFireTimesAsync(string name, int count, DateTimeOffset from, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 1000);
        var schedule = _schedules.Get(name);
        var scheduler = await _runtime.SchedulerAsync(cancellationToken).ConfigureAwait(false);
        var stored = await scheduler.GetTrigger(ScheduleTriggers.TriggerKey(schedule.Name), cancellationToken).ConfigureAwait(false);
        var anchor = (stored is null ? null : ScheduleTriggers.Anchor(stored.JobDataMap)) ?? ScheduleClock.AnchorAt(from);
        return ScheduleClock.For(schedule, anchor).Next(from, count);
    }

    /// <summary>
    /// Fires a schedule now, once, whatever its timing: adds a one-off trigger for the schedule's job to the store, which a
    /// running scheduler instance fires within its poll interval (the cluster's <c>PollInterval</c>, 5 s by default), or at
    /// once in this process when it is the one running. The call gets the idempotency key
    /// <c>schedule:manual-&lt;UTC time of the request&gt;</c>, ignores the overlap policy, and leaves the schedule's own
    /// occurrences as they were.
    /// </summary>
    /// <param name="name">The schedule's name.</param>
    /// <param name="cancellationToken">Cancels writing to the store.</param>
    /// <returns>The idempotency key the fire's call will carry.</returns>
    /// <exception cref="ArgumentException">No schedule has that name.</exception>
    /// <exception cref="InvalidOperationException">The store does not have the schedule yet: no scheduler has started with it.</exception>
    public async Task<string> TriggerAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var schedule = _schedules.Get(name);
        var scheduler = await _runtime.SchedulerAsync(cancellationToken).ConfigureAwait(false);
        var job = ScheduleTriggers.JobKey(schedule.Name);
        if (!await scheduler.Exists(job, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"Schedule '{schedule.Name}' is not in the schedule store yet: no scheduler has started with it. Start the scheduler service (it writes its schedules to the store), then trigger again.");
        }

        var at = _time.GetUtcNow();
        await scheduler.TriggerJob(job, new JobDataMap { [ScheduleJob.ManualKey] = at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);
        return $"{schedule.Name}:manual-{ScheduleFirer.Utc(at)}";
    }

    private static ScheduleInfo Describe(ScheduleDefinition schedule) => new(
        schedule.Name,
        schedule.Target,
        schedule.Timing is CronTiming ? "cron" : "period",
        schedule.Timing.Text,
        schedule.TimeZone.Id,
        (schedule.Timing as PeriodTiming)?.Start,
        schedule.Misfire,
        schedule.MisfireWindow,
        schedule.Overlap,
        schedule.Args.GetRawText(),
        schedule.Source);
}
