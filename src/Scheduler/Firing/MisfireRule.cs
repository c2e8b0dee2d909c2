using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Occurrences;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// Decides what one fire does. It looks at every occurrence since the last one handled, up to now: an occurrence no
/// later than the misfire threshold is on time and runs; an older one was missed. <see cref="ScheduleMisfire.Skip"/>
/// skips every missed occurrence; <see cref="ScheduleMisfire.RunOnce"/> runs the most recent missed occurrence once when
/// it is within the schedule's misfire window and skips the others. Every skipped occurrence is reported, so the log has
/// a line for each. One fire runs at most one occurrence, the oldest that should run; the trigger is then set to the
/// next, which is due at once when another is already waiting. An occurrence at or before the last handled one never
/// runs again, and the occurrence, not the wall clock, makes the idempotency key, so any node computes the same key.
/// </summary>
internal static class MisfireRule
{
    /// <summary>How many skipped occurrences are listed one by one in a single fire; the rest are reported as a range.</summary>
    public const int ListedSkips = 100;

    // Windows looked through for the latest missed occurrence when there are too many to walk, smallest first.
    private static readonly TimeSpan[] Spans =
        [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(400)];

    /// <param name="schedule">The schedule.</param>
    /// <param name="clock">The schedule's occurrences.</param>
    /// <param name="due">The occurrence the trigger was set for: nothing before it is this fire's business.</param>
    /// <param name="now">The clock now.</param>
    /// <param name="lastOccurrence">The last occurrence that ran or was deliberately skipped, from the job's stored state.</param>
    /// <param name="threshold">How late an occurrence may be and still count as on time (the scheduler's misfire threshold).</param>
    public static FireDecision Decide(ScheduleDefinition schedule, ScheduleClock clock, DateTimeOffset due, DateTimeOffset now, DateTimeOffset? lastOccurrence, TimeSpan threshold)
    {
        var from = lastOccurrence is { } last && last >= due ? last : due.AddTicks(-1);
        var cutoff = now - threshold;

        // The missed occurrences (older than the threshold), the first ones listed, the latest found.
        var listed = new List<DateTimeOffset>();
        DateTimeOffset? latestMissed = null;
        var more = false;
        var first = clock.NextAfter(from);
        for (var next = first; next is { } time && time < cutoff; next = clock.NextAfter(time))
        {
            if (listed.Count == ListedSkips)
            {
                more = true;
                latestMissed = LatestBefore(clock, cutoff, time);
                break;
            }

            listed.Add(time);
            latestMissed = time;
        }

        var onTime = (latestMissed is { } missed ? clock.NextAfter(missed) : first) is { } candidate && candidate <= now ? candidate : (DateTimeOffset?)null;
        if (schedule.Misfire == ScheduleMisfire.RunOnce && latestMissed is { } catchUp && now - catchUp <= schedule.MisfireWindow)
        {
            listed.Remove(catchUp);
            return new FireDecision(catchUp, now - catchUp, listed, more ? (listed.LastOrDefault(), catchUp) : null, catchUp);
        }

        var skipped = more ? (listed[^1], latestMissed!.Value) : ((DateTimeOffset, DateTimeOffset)?)null;
        if (onTime is { } run)
        {
            return new FireDecision(run, now - run < TimeSpan.Zero ? TimeSpan.Zero : now - run, listed, skipped, run);
        }

        return new FireDecision(null, TimeSpan.Zero, listed, skipped, latestMissed ?? lastOccurrence);
    }

    /// <summary>The latest occurrence before <paramref name="upTo"/>, searching back from it, no earlier than <paramref name="floor"/>.</summary>
    private static DateTimeOffset LatestBefore(ScheduleClock clock, DateTimeOffset upTo, DateTimeOffset floor)
    {
        foreach (var span in Spans)
        {
            var from = upTo - span < floor ? floor : upTo - span;
            DateTimeOffset? latest = null;
            for (var next = clock.NextAfter(from); next is { } time && time < upTo; next = clock.NextAfter(time))
            {
                latest = time;
            }

            if (latest is { } found)
            {
                return found;
            }

            if (from == floor)
            {
                break;
            }
        }

        return floor;
    }
}
