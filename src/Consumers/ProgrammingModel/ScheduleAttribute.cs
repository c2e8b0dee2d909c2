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
}
