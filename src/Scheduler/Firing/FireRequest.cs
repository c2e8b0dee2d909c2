namespace Pipeline.Scheduler.Firing;

/// <summary>One fire handed over by Quartz.</summary>
/// <param name="Schedule">The schedule's name (the job's name).</param>
/// <param name="FireAt">The fire's scheduled time (Quartz's; "now" after a misfire).</param>
/// <param name="State">What the schedule remembers from earlier fires.</param>
/// <param name="NextAfter">The schedule's fire times: the first strictly after the argument.</param>
/// <param name="NextFire">The trigger's next fire time, for the log.</param>
/// <param name="ManualAt">When an operator asked for this fire (<see cref="ScheduleBook.TriggerAsync"/>); null for a scheduled fire.</param>
internal sealed record FireRequest(
    string Schedule,
    DateTimeOffset FireAt,
    FireState State,
    Func<DateTimeOffset, DateTimeOffset?> NextAfter,
    DateTimeOffset? NextFire,
    DateTimeOffset? ManualAt = null);
