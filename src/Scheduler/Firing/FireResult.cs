namespace Pipeline.Scheduler.Firing;

/// <summary>The outcome of one fire, what the schedule remembers afterwards, and when its trigger fires next.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Occurrence">The occurrence the fire stood for, when there was one.</param>
/// <param name="IdempotencyKey">The key the call was spawned with: <c>schedule:occurrence-UTC</c>, or <c>schedule:manual-UTC</c>.</param>
/// <param name="CallId">The spawned call's id, when one was spawned.</param>
/// <param name="State">The state to store for the next fire.</param>
/// <param name="NextDue">
/// The occurrence the schedule's trigger is set to next (in the past when another is already waiting), and
/// <see cref="NextAt"/> when it fires; null for an operator's fire, which leaves the schedule's trigger alone.
/// </param>
/// <param name="NextAt">When the trigger fires next: <paramref name="NextDue"/>, or sooner to retry a fire that failed.</param>
internal sealed record FireResult(FireOutcome Outcome, DateTimeOffset? Occurrence, string? IdempotencyKey, string? CallId, FireState State, DateTimeOffset? NextDue = null, DateTimeOffset? NextAt = null);
