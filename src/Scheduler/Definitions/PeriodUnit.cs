namespace Pipeline.Scheduler.Definitions;

/// <summary>The unit of a <see cref="PeriodTiming"/>.</summary>
internal enum PeriodUnit
{
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
}
