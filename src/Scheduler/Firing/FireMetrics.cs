using System.Diagnostics.Metrics;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// The scheduler's counters under the meter <c>Pipeline</c>, served at <c>/metrics</c>: every fire by outcome, and the
/// occurrences skipped as missed. Nothing is recorded unless a listener (the Prometheus exporter) subscribes.
/// </summary>
internal static class FireMetrics
{
    private static readonly Meter Meter = new("Pipeline");

    private static readonly Counter<long> Fires = Meter.CreateCounter<long>(
        "pipeline.schedule.fires", "{fire}", "Fires of each schedule by outcome: Fired (a call spawned), Missed, Overlapping, Duplicate, Failed (tried again), Unknown.");

    private static readonly Counter<long> Missed = Meter.CreateCounter<long>(
        "pipeline.schedule.missed", "{occurrence}", "Occurrences of each schedule skipped as missed (later than its misfire policy allows).");

    /// <summary>Counts one fire of <paramref name="schedule"/> by its outcome.</summary>
    public static void Fired(string schedule, FireOutcome outcome) => Fires.Add(
        1,
        new KeyValuePair<string, object?>("pipeline.schedule", schedule),
        new KeyValuePair<string, object?>("pipeline.outcome", outcome.ToString()));

    /// <summary>Counts the occurrences a fire skipped as missed.</summary>
    public static void Skipped(string schedule, int count)
    {
        if (count > 0)
        {
            Missed.Add(count, new KeyValuePair<string, object?>("pipeline.schedule", schedule));
        }
    }
}
