using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Occurrences;

/// <summary>
/// When a schedule fires: every occurrence, computed here and nowhere else. The service fires exactly these (each
/// Quartz trigger is a one-shot set to the next of them), <c>list</c> prints them, and the misfire rule walks them.
/// Cron follows Vixie cron's rule across daylight saving changes (<see cref="CronClock"/>); periods count from their
/// anchor (<see cref="PeriodClock"/>).
/// </summary>
internal abstract class ScheduleClock
{
    /// <summary>The first occurrence strictly after <paramref name="after"/>; null when there is none.</summary>
    public abstract DateTimeOffset? NextAfter(DateTimeOffset after);

    /// <summary>The clock of <paramref name="schedule"/>; a period without <c>Start</c> counts from <paramref name="anchor"/>.</summary>
    public static ScheduleClock For(ScheduleDefinition schedule, DateTimeOffset anchor) => schedule.Timing switch
    {
        CronTiming cron => new CronClock(cron, schedule.TimeZone),
        PeriodTiming period => new PeriodClock(period, schedule.TimeZone, period.Start ?? anchor),
        _ => throw new InvalidOperationException($"Unknown timing {schedule.Timing.GetType().Name}."),
    };

    /// <summary>The anchor of a period stored now: the clock's time to the whole second (so keys and logs read cleanly).</summary>
    public static DateTimeOffset AnchorAt(DateTimeOffset now) => new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>The next <paramref name="count"/> occurrences after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Next(DateTimeOffset after, int count)
    {
        var times = new List<DateTimeOffset>(count);
        for (var next = NextAfter(after); next is { } time && times.Count < count; next = NextAfter(time))
        {
            times.Add(time);
        }

        return times;
    }
}
