namespace Pipeline;

/// <summary>
/// Runs once when a container starts, before it takes any input (Modal's <c>@modal.enter()</c>).
/// Takes no parameters or one <see cref="CancellationToken"/>; may be async. Several run in declaration order, base class first.
/// If it throws, that container fails, uses up no input attempt, and its <see cref="ExitAttribute"/> hooks do not run.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class EnterAttribute : Attribute
{
}
