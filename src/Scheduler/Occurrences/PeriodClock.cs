using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Occurrences;

/// <summary>
/// A period's occurrences: the anchor and every whole number of periods after it. Seconds, minutes and hours are
/// elapsed time. Days, weeks and months are computed from the anchor's wall-clock time, n periods later, never from the
/// previous fire: a month end is clamped for that month only (31 Jan, 28 Feb, 31 Mar), a time in a spring-forward gap
/// moves forward by the gap for that day only, and a time that happens twice fires at its first occurrence.
/// </summary>
internal sealed class PeriodClock : ScheduleClock
{
    private readonly PeriodTiming _period;
    private readonly TimeZoneInfo _zone;
    private readonly DateTimeOffset _anchor;
    private readonly DateTime _anchorWall;
    private readonly TimeSpan _step;

    public PeriodClock(PeriodTiming period, TimeZoneInfo zone, DateTimeOffset anchor)
    {
        _period = period;
        _zone = zone;
        _anchor = anchor;
        _anchorWall = WallClock.Local(anchor, zone);
        _step = period.Unit switch
        {
            PeriodUnit.Second => TimeSpan.FromSeconds(period.Count),
            PeriodUnit.Minute => TimeSpan.FromMinutes(period.Count),
            PeriodUnit.Hour => TimeSpan.FromHours(period.Count),
            PeriodUnit.Day => TimeSpan.FromDays(period.Count),
            PeriodUnit.Week => TimeSpan.FromDays(7 * period.Count),
            _ => TimeSpan.FromDays(28 * period.Count),
        };
    }

    public override DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        if (after < _anchor)
        {
            return At(0);
        }

        if (!_period.IsCalendar)
        {
            var steps = (after - _anchor).Ticks / _step.Ticks;
            return _anchor + TimeSpan.FromTicks(_step.Ticks * (steps + 1));
        }

        // A first guess a little short of the answer (offsets and month lengths move it by less than two periods), then forward.
        var n = _period.Unit == PeriodUnit.Month
            ? Math.Max(0, (((WallClock.Local(after, _zone).Year - _anchorWall.Year) * 12) + WallClock.Local(after, _zone).Month - _anchorWall.Month) / _period.Count - 2)
            : Math.Max(0, (long)((after - _anchor).Ticks / _step.Ticks) - 2);
        while (true)
        {
            var time = At(n);
            if (time is null)
            {
                return null;
            }

            if (time > after)
            {
                return time;
            }

            n++;
        }
    }

    private DateTimeOffset? At(long n)
    {
        if (n == 0)
        {
            return _anchor;
        }

        if (!_period.IsCalendar)
        {
            return _anchor + TimeSpan.FromTicks(_step.Ticks * n);
        }

        var periods = n * _period.Count;
        if (periods > int.MaxValue / 7)
        {
            return null;
        }

        try
        {
            var wall = _period.Unit switch
            {
                PeriodUnit.Day => _anchorWall.AddDays(periods),
                PeriodUnit.Week => _anchorWall.AddDays(7 * periods),
                _ => _anchorWall.AddMonths((int)periods),
            };
            return WallClock.First(wall, _zone);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Past the year 9999: no more occurrences.
            return null;
        }
    }
}
