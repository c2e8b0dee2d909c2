using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// Decides whether a fire runs, and for which occurrence. Quartz fires a trigger on time, or, after downtime, once
/// "now" (every trigger's misfire instruction); this finds the latest occurrence due at or before that and runs it
/// when it is no later than the misfire threshold, or, with <see cref="ScheduleMisfire.RunOnce"/>, no later than the
/// schedule's misfire window. An occurrence at or before the last one that ran never runs again (two triggers or two
/// nodes firing the same occurrence), and the occurrence, not the wall clock, makes the idempotency key, so any
/// node computes the same key for it.
/// </summary>
internal static class MisfireRule
{
    // Windows looked through, smallest first: the latest occurrence is in the first one that has any, so a
    // one-second period never walks a year of occurrences.
    private static readonly TimeSpan[] Spans =
        [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(400)];

    /// <param name="schedule">The schedule.</param>
    /// <param name="fireAt">When Quartz meant this fire to happen (its scheduled fire time; "now" after a misfire).</param>
    /// <param name="now">The clock now.</param>
    /// <param name="lastOccurrence">The last occurrence that ran (or was deliberately skipped), from the job's stored state.</param>
    /// <param name="nextAfter">The schedule's fire times: the first strictly after the argument.</param>
    /// <param name="threshold">How late a fire may be and still count as on time (the scheduler's misfire threshold).</param>
    public static FireDecision Decide(
        ScheduleDefinition schedule,
        DateTimeOffset fireAt,
        DateTimeOffset now,
        DateTimeOffset? lastOccurrence,
        Func<DateTimeOffset, DateTimeOffset?> nextAfter,
        TimeSpan threshold)
    {
        // On time (or late within the threshold) Quartz hands over the occurrence itself; after downtime it hands over
        // "now", and the latest occurrence due by then stands for all that were missed.
        var found = Latest(fireAt, lastOccurrence, nextAfter);
        if (found is null)
        {
            // Nothing due since the last occurrence that ran: another trigger or node already fired this one.
            return lastOccurrence is not null
                ? FireDecision.Skip(lastOccurrence, TimeSpan.Zero, "duplicate")
                : FireDecision.Skip(null, TimeSpan.Zero, "none");
        }

        var occurrence = found.Value;
        var late = now - occurrence;
        if (late <= threshold)
        {
            return FireDecision.Fire(occurrence, late < TimeSpan.Zero ? TimeSpan.Zero : late);
        }

        return schedule.Misfire == ScheduleMisfire.RunOnce && late <= schedule.MisfireWindow
            ? FireDecision.Fire(occurrence, late)
            : FireDecision.Skip(occurrence, late, "missed");
    }

    /// <summary>The latest occurrence after <paramref name="lastOccurrence"/> and at or before <paramref name="upTo"/>, within 400 days.</summary>
    private static DateTimeOffset? Latest(DateTimeOffset upTo, DateTimeOffset? lastOccurrence, Func<DateTimeOffset, DateTimeOffset?> nextAfter)
    {
        foreach (var span in Spans)
        {
            var from = upTo - span;
            if (lastOccurrence is { } last && last >= from)
            {
                from = last;
            }

            DateTimeOffset? latest = null;
            for (var next = nextAfter(from); next is { } time && time <= upTo; next = nextAfter(time))
            {
                latest = time;
            }

            if (latest is not null || from == lastOccurrence)
            {
                return latest;
            }
        }

        return null;
    }
}
