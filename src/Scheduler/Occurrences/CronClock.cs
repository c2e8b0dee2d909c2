using Pipeline.Scheduler.Definitions;
using Quartz;

namespace Pipeline.Scheduler.Occurrences;

/// <summary>
/// A cron expression's occurrences in its time zone, with Vixie cron's rule for daylight saving changes (the cron of
/// most Linux systems). The fields are matched against the wall clock. An expression whose minute or hour field starts
/// with <c>*</c> (<c>*/15 * * * *</c>, <c>0 * * * *</c>, <c>* 2 * * *</c>) is a wildcard one: it fires at every real
/// instant whose wall-clock time matches, so twice in a repeated hour and not for times that a jump skipped. Any other
/// expression is a fixed-time one: a matching time that happens twice fires once, at its first occurrence, and matching
/// times inside a gap fire once, at the moment the clocks jump.
/// </summary>
internal sealed class CronClock : ScheduleClock
{
    // Every real daylight saving change moves the clock by at most two hours; Vixie cron applies its rule up to three.
    private static readonly TimeSpan MaxShift = TimeSpan.FromHours(3);

    private readonly CronExpression _wall;
    private readonly TimeZoneInfo _zone;
    private readonly bool _wildcard;

    public CronClock(CronTiming cron, TimeZoneInfo zone)
    {
        // Quartz matches the fields (Unix dialect: 0 or 7 for Sunday, the day fields ORed); in UTC it has no zone of its
        // own, so it walks the wall clock and this class decides the instants.
        _wall = CronExpression.Parse(cron.Fields, CronFormat.Unix).WithTimeZone(TimeZoneInfo.Utc);
        _zone = zone;
        _wildcard = IsWildcard(cron.Fields);
    }

    /// <summary>Vixie cron's test: the minute or the hour field starts with <c>*</c>.</summary>
    public static bool IsWildcard(string fields)
    {
        var parts = fields.Split(' ');
        return parts[0].StartsWith('*') || parts[1].StartsWith('*');
    }

    public override DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        // After the clocks go back, a later instant can show an earlier wall-clock time: start that much earlier, unless
        // the offset stays the same for long enough that no going back is in reach (most of the year).
        var steady = _zone.GetUtcOffset(after) == _zone.GetUtcOffset(after + MaxShift);
        var cursor = Wall(WallClock.Local(after, _zone) - (steady ? TimeSpan.Zero : MaxShift)).AddTicks(-1);
        DateTimeOffset? best = null;
        while (_wall.GetNextValidTimeAfter(cursor) is { } candidate)
        {
            var wall = candidate.DateTime;
            if (best is { } found &&
                (wall > WallClock.Local(found, _zone) + MaxShift || _zone.GetUtcOffset(after) == _zone.GetUtcOffset(found + MaxShift)))
            {
                break;
            }

            foreach (var instant in Instants(wall))
            {
                if (instant > after && (best is null || instant < best))
                {
                    best = instant;
                }
            }

            cursor = candidate;
        }

        return best;
    }

    private IEnumerable<DateTimeOffset> Instants(DateTime wall)
    {
        if (_zone.IsInvalidTime(wall))
        {
            return _wildcard ? [] : [WallClock.GapEnd(wall, _zone)];
        }

        var instants = WallClock.Instants(wall, _zone);
        return _wildcard ? instants : instants.Take(1);
    }

    private static DateTimeOffset Wall(DateTime wall) => new(DateTime.SpecifyKind(wall, DateTimeKind.Unspecified), TimeSpan.Zero);
}
