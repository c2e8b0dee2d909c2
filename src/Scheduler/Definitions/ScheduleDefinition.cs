using System.Text.Json;

namespace Pipeline.Scheduler.Definitions;

/// <summary>One validated schedule: what to call, when, and what to do about missed and overlapping fires.</summary>
internal sealed record ScheduleDefinition
{
    /// <summary>The schedule's name, normalized (kebab-case); the first part of each fire's idempotency key.</summary>
    public required string Name { get; init; }

    public required string App { get; init; }

    public required string Function { get; init; }

    public string Target => $"{App}.{Function}";

    public required ScheduleTiming Timing { get; init; }

    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>The positional arguments, a JSON array (empty when none are given).</summary>
    public required JsonElement Args { get; init; }

    public ScheduleMisfire Misfire { get; init; }

    /// <summary>With <see cref="ScheduleMisfire.RunOnce"/>, the oldest a missed occurrence may be and still run.</summary>
    public TimeSpan MisfireWindow { get; init; } = TimeSpan.FromHours(1);

    public ScheduleOverlap Overlap { get; init; }

    /// <summary>Where it was defined: <c>attribute</c>, <c>configuration</c>, or <c>attribute + configuration</c>.</summary>
    public required string Source { get; init; }
}
