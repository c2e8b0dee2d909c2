namespace Pipeline;

/// <summary>
/// Runs a function on a schedule (Modal's <c>schedule=modal.Cron(...)</c> or <c>modal.Period(...)</c>).
/// Give <see cref="Cron"/> or <see cref="Period"/>; configuration may override it by <see cref="Name"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class ScheduleAttribute : Attribute
{
    /// <summary>The schedule's name; defaults to the function name.</summary>
    public string? Name { get; set; }

    /// <summary>A 5-field Unix cron expression, for example <c>"0 3 * * *"</c>.</summary>
    public string? Cron { get; set; }

    /// <summary>The IANA time zone of <see cref="Cron"/>; default UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>A calendar-aware period, for example <c>"1d"</c> or <c>"30m"</c>.</summary>
    public string? Period { get; set; }

    /// <summary>What happens to an occurrence missed while no scheduler ran; default <see cref="ScheduleMisfire.Skip"/>.</summary>
    public ScheduleMisfire Misfire { get; set; }

    /// <summary>
    /// With <see cref="ScheduleMisfire.RunOnce"/>, how old a missed occurrence may be and still run, as a TimeSpan
    /// (for example <c>"01:00:00"</c>); default one hour.
    /// </summary>
    public string? MisfireWindow { get; set; }

    /// <summary>What happens when an occurrence comes due while the previous run is still going; default <see cref="ScheduleOverlap.Allow"/>.</summary>
    public ScheduleOverlap Overlap { get; set; }
}
