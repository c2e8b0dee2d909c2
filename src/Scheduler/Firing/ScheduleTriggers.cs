using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Scheduler.Definitions;
using Quartz;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// Turns a schedule into its Quartz job and trigger. One trigger per schedule: Quartz reads Unix cron itself
/// (<see cref="CronFormat.Unix"/>: 0 or 7 for Sunday, and day-of-month OR day-of-week when both are restricted);
/// seconds, minutes and hours are a calendar-interval trigger (elapsed time); days, weeks and months a recurrence
/// rule in the schedule's time zone (wall-clock time kept across DST, month ends clamped: the 31st fires on the last
/// day of shorter months and on the 31st again after). Every trigger's misfire instruction is "fire once now":
/// whether a late fire runs is <see cref="MisfireRule"/>'s decision, not Quartz's.
/// </summary>
internal static class ScheduleTriggers
{
    /// <summary>The job and trigger group of every schedule.</summary>
    public const string Group = "pipeline-schedules";

    /// <summary>The trigger data key holding <see cref="Fingerprint"/>, to notice a changed definition at start-up.</summary>
    public const string FingerprintKey = "pipeline-timing";

    public static JobKey JobKey(string schedule) => new(schedule, Group);

    public static TriggerKey TriggerKey(string schedule) => new(schedule, Group);

    /// <summary>What decides the fire times, hashed: the timing and the time zone (not the anchor of an unanchored period).</summary>
    public static string Fingerprint(ScheduleDefinition schedule) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"v1|{schedule.Timing.Fingerprint}|{schedule.TimeZone.Id}")))[..16];

    public static IJobDetail Job(ScheduleDefinition schedule) => JobBuilder.Create<ScheduleJob>()
        .WithIdentity(JobKey(schedule.Name))
        .WithDescription($"{schedule.Target} on {schedule.Timing.Text}")
        .StoreDurably()
        .DisallowConcurrentExecution()
        .PersistJobDataAfterExecution()
        .Build();

    /// <summary>The schedule's trigger; an unanchored period counts from the clock's now and first fires one period later.</summary>
    public static ITrigger Trigger(ScheduleDefinition schedule, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var builder = TriggerBuilder.Create(time)
            .WithIdentity(TriggerKey(schedule.Name))
            .ForJob(JobKey(schedule.Name))
            .UsingJobData(FingerprintKey, Fingerprint(schedule));
        return schedule.Timing switch
        {
            CronTiming cron => builder
                .StartAt(now)
                .WithSchedule(CronScheduleBuilder.Create(CronExpression.Parse(cron.Fields, CronFormat.Unix))
                    .InTimeZone(schedule.TimeZone)
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build(),
            PeriodTiming { IsCalendar: true } period => builder
                .StartAt(period.Start ?? Advance(now, period, schedule.TimeZone))
                .WithSchedule(RecurrenceScheduleBuilder.Create(Rule(period))
                    .InTimeZone(schedule.TimeZone)
                    .WithMisfireInstruction(RecurrenceTriggerMisfireInstruction.FireAndProceed))
                .Build(),
            PeriodTiming period => builder
                .StartAt(period.Start ?? Advance(now, period, schedule.TimeZone))
                .WithSchedule(CalendarIntervalScheduleBuilder.Create()
                    .WithInterval(period.Count, Unit(period.Unit))
                    .InTimeZone(schedule.TimeZone)
                    .WithMisfireInstruction(CalendarIntervalTriggerMisfireInstruction.FireAndProceed))
                .Build(),
            _ => throw new InvalidOperationException($"Unknown timing {schedule.Timing.GetType().Name}."),
        };
    }

    /// <summary>The fire times of <paramref name="trigger"/> after <paramref name="after"/>, at most <paramref name="count"/>.</summary>
    public static IReadOnlyList<DateTimeOffset> FireTimes(ITrigger trigger, DateTimeOffset after, int count)
    {
        var times = new List<DateTimeOffset>(count);
        DateTimeOffset? next = after;
        while (times.Count < count && (next = trigger.GetFireTimeAfter(next)) is { } time)
        {
            times.Add(time);
        }

        return times;
    }

    private static string Rule(PeriodTiming period) => string.Create(
        CultureInfo.InvariantCulture,
        $"FREQ={period.Unit switch { PeriodUnit.Day => "DAILY", PeriodUnit.Week => "WEEKLY", _ => "MONTHLY" }};INTERVAL={period.Count}");

    private static IntervalUnit Unit(PeriodUnit unit) => unit switch
    {
        PeriodUnit.Second => IntervalUnit.Second,
        PeriodUnit.Minute => IntervalUnit.Minute,
        _ => IntervalUnit.Hour,
    };

    // Modal's Period first fires one period after it is deployed; calendar units step the wall clock in the zone.
    private static DateTimeOffset Advance(DateTimeOffset now, PeriodTiming period, TimeZoneInfo zone)
    {
        if (!period.IsCalendar)
        {
            var step = period.Unit switch
            {
                PeriodUnit.Second => TimeSpan.FromSeconds(period.Count),
                PeriodUnit.Minute => TimeSpan.FromMinutes(period.Count),
                _ => TimeSpan.FromHours(period.Count),
            };
            return now + step;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var next = period.Unit switch
        {
            PeriodUnit.Day => local.AddDays(period.Count),
            PeriodUnit.Week => local.AddDays(7 * period.Count),
            _ => local.AddMonths(period.Count),
        };
        return zone.IsInvalidTime(next) ? new DateTimeOffset(next.AddHours(1), zone.GetUtcOffset(next.AddHours(1))) : new DateTimeOffset(next, zone.GetUtcOffset(next));
    }
}
