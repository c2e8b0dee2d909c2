namespace Pipeline.Scheduler.Occurrences;

/// <summary>
/// Turns a wall-clock time in a zone into instants, where a daylight saving change makes a time happen twice (the
/// clocks go back) or not at all (the clocks go forward).
/// </summary>
internal static class WallClock
{
    /// <summary>The wall-clock time of <paramref name="instant"/> in <paramref name="zone"/>, without an offset.</summary>
    public static DateTime Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, zone).DateTime, DateTimeKind.Unspecified);

    /// <summary>The instants that show <paramref name="wall"/>: two in a repeated hour (first one first), one otherwise, none in a gap.</summary>
    public static IEnumerable<DateTimeOffset> Instants(DateTime wall, TimeZoneInfo zone)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            yield break;
        }

        if (zone.IsAmbiguousTime(wall))
        {
            // The larger offset is the earlier instant: summer time, before the clocks went back.
            foreach (var offset in zone.GetAmbiguousTimeOffsets(wall).Distinct().OrderByDescending(o => o))
            {
                yield return new DateTimeOffset(wall, offset);
            }

            yield break;
        }

        yield return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    /// <summary>
    /// The one instant a wall-clock time stands for: its first occurrence when it happens twice; inside a gap,
    /// the time read with the offset from before the jump, which moves it forward by the gap (02:30 becomes 03:30 when
    /// the clocks go from 02:00 to 03:00).
    /// </summary>
    public static DateTimeOffset First(DateTime wall, TimeZoneInfo zone)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        return zone.IsInvalidTime(wall)
            ? new DateTimeOffset(wall, OffsetBefore(wall, zone)).ToOffset(OffsetAfter(wall, zone))
            : Instants(wall, zone).First();
    }

    /// <summary>The instant a gap that holds <paramref name="wall"/> ends: the moment the clocks jumped forward.</summary>
    public static DateTimeOffset GapEnd(DateTime wall, TimeZoneInfo zone)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        var before = OffsetBefore(wall, zone);
        var after = OffsetAfter(wall, zone);

        // The jump lies between the wall time read with the later offset and with the earlier one; find it to the second.
        var low = new DateTimeOffset(wall, after).UtcTicks;
        var high = new DateTimeOffset(wall, before).UtcTicks;
        while (high - low > TimeSpan.TicksPerSecond)
        {
            var middle = low + ((high - low) / 2);
            if (zone.GetUtcOffset(new DateTimeOffset(middle, TimeSpan.Zero)) == after)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        var end = new DateTimeOffset(high - (high % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return (zone.GetUtcOffset(end) == after ? end : end.AddSeconds(1)).ToOffset(after);
    }

    // A gap is at most a few hours long: half a day either side of it is on the far side of the change.
    private static TimeSpan OffsetBefore(DateTime wall, TimeZoneInfo zone) =>
        zone.GetUtcOffset(new DateTimeOffset(wall, zone.BaseUtcOffset).AddHours(-12));

    private static TimeSpan OffsetAfter(DateTime wall, TimeZoneInfo zone) =>
        zone.GetUtcOffset(new DateTimeOffset(wall, zone.BaseUtcOffset).AddHours(12));
}
