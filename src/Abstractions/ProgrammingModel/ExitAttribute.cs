namespace Pipeline;

/// <summary>
/// Runs once when a container stops: scale-down, preemption, shutdown or broker disconnect (Modal's <c>@modal.exit()</c>),
/// within the grace period (default 30 s), after which its <see cref="CancellationToken"/> is cancelled.
/// Takes no parameters or one <see cref="CancellationToken"/>; may be async.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ExitAttribute : Attribute
{
}
