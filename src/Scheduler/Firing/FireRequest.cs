namespace Pipeline.Scheduler.Firing;

/// <summary>One fire handed over by Quartz.</summary>
/// <param name="Schedule">The schedule's name (the job's name).</param>
/// <param name="Due">The occurrence the schedule's trigger was set for (the fire itself may come later, after downtime).</param>
/// <param name="Anchor">Where a period without <c>Start</c> counts from, as stored with the trigger.</param>
/// <param name="State">What the schedule remembers from earlier fires.</param>
/// <param name="ManualAt">When an operator asked for this fire (<see cref="ScheduleBook.TriggerAsync"/>); null for a scheduled fire.</param>
/// <param name="NextFire">For an operator's fire: the schedule's own next fire, for the log.</param>
internal sealed record FireRequest(
    string Schedule,
    DateTimeOffset Due,
    DateTimeOffset Anchor,
    FireState State,
    DateTimeOffset? ManualAt = null,
    DateTimeOffset? NextFire = null);
