namespace Pipeline.Consumers.Lifecycle;

/// <summary>An attempt given up on (timed out, cancelled) whose code still runs past the grace: its thread is stuck.</summary>
/// <param name="ContainerId">The container it runs in (replaced, taking no more input).</param>
/// <param name="Queue">The container's pool.</param>
/// <param name="What">The attempt: <c>call fc-... to app.function</c>.</param>
/// <param name="StartedAt">When the attempt started.</param>
internal sealed record StuckAttempt(string ContainerId, string Queue, string What, DateTimeOffset StartedAt);
