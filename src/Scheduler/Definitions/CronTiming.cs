namespace Pipeline.Scheduler.Definitions;

/// <summary>A 5-field Unix cron expression.</summary>
/// <param name="Text">The text as configured (an <c>@daily</c> macro stays as written).</param>
/// <param name="Fields">The five fields Quartz reads, macros expanded, single-spaced.</param>
internal sealed record CronTiming(string Text, string Fields) : ScheduleTiming(Text)
{
    public override string Fingerprint => "cron|" + Fields;
}
