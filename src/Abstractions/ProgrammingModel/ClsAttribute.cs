namespace Pipeline;

/// <summary>
/// Marks a class as parameterized and stateful (Modal's <c>@app.cls</c>): each distinct set of
/// <see cref="ParameterAttribute"/> values is its own pool of containers with its own <c>enter</c>/<c>exit</c>.
/// The class needs a parameterless constructor; keep it cheap and load things in an <see cref="EnterAttribute"/> hook.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ClsAttribute : ContainerOptionsAttribute
{
}
