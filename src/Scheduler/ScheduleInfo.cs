namespace Pipeline.Scheduler;

/// <summary>One schedule as an operator sees it.</summary>
/// <param name="Name">The schedule's name (kebab-case); the first part of each fire's idempotency key.</param>
/// <param name="Target">The function it calls, <c>app.function</c>.</param>
/// <param name="Kind"><c>cron</c> or <c>period</c>.</param>
/// <param name="Expression">The cron expression or period, as written.</param>
/// <param name="TimeZone">The IANA time zone the expression is read in.</param>
/// <param name="Start">A period's configured anchor; null when it counts from when it was first stored (and for cron).</param>
/// <param name="Misfire">What happens to an occurrence missed while no scheduler ran.</param>
/// <param name="MisfireWindow">With <see cref="ScheduleMisfire.RunOnce"/>, how old a missed occurrence may be and still run.</param>
/// <param name="Overlap">What happens when an occurrence comes due while the previous run is going.</param>
/// <param name="Arguments">The arguments each fire passes, as a JSON array.</param>
/// <param name="Source">Where it was defined: <c>attribute</c>, <c>configuration</c>, or <c>attribute, overridden by configuration</c>.</param>
public sealed record ScheduleInfo(
    string Name,
    string Target,
    string Kind,
    string Expression,
    string TimeZone,
    DateTimeOffset? Start,
    ScheduleMisfire Misfire,
    TimeSpan MisfireWindow,
    ScheduleOverlap Overlap,
    string Arguments,
    string Source);
