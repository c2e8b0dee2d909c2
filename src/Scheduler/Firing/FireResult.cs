namespace Pipeline.Scheduler.Firing;

/// <summary>The outcome of one fire, and what the schedule remembers afterwards.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Occurrence">The occurrence the fire stood for, when there was one.</param>
/// <param name="IdempotencyKey">The key the call was spawned with: <c>schedule:occurrence-UTC</c>, or <c>schedule:manual-UTC</c>.</param>
/// <param name="CallId">The spawned call's id, when one was spawned.</param>
/// <param name="State">The state to store for the next fire.</param>
internal sealed record FireResult(FireOutcome Outcome, DateTimeOffset? Occurrence, string? IdempotencyKey, string? CallId, FireState State);
