namespace Pipeline.Scheduler.Definitions;

/// <summary>When a schedule fires: a cron expression or a period, as the user wrote it.</summary>
/// <param name="Text">The text as configured, for display.</param>
internal abstract record ScheduleTiming(string Text)
{
    /// <summary>A stable description of what decides the fire times, stored with the trigger to notice a change.</summary>
    public abstract string Fingerprint { get; }
}
