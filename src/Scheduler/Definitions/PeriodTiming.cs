using System.Globalization;

namespace Pipeline.Scheduler.Definitions;

/// <summary>
/// A period: seconds, minutes and hours are elapsed time; days, weeks and months are calendar steps that keep the
/// wall-clock time of the anchor in the schedule's time zone (Modal's <c>Period(days=1)</c> is not 86,400 s).
/// </summary>
/// <param name="Text">The text as configured.</param>
/// <param name="Count">How many units between fires; at least 1.</param>
/// <param name="Unit">The unit.</param>
/// <param name="Start">
/// The anchor the period counts from, when configured; otherwise the moment the schedule is first stored.
/// </param>
internal sealed record PeriodTiming(string Text, int Count, PeriodUnit Unit, DateTimeOffset? Start) : ScheduleTiming(Text)
{
    public override string Fingerprint =>
        string.Create(CultureInfo.InvariantCulture, $"period|{Count}|{Unit}|{Start?.UtcDateTime:O}");

    /// <summary>True for units that are calendar steps (days, weeks, months) rather than elapsed time.</summary>
    public bool IsCalendar => Unit is PeriodUnit.Day or PeriodUnit.Week or PeriodUnit.Month;
}
