namespace Pipeline;

/// <summary>
/// Marks a static method as a remotely callable function (Modal's <c>@app.function</c>). It may be sync or async
/// and may take a <see cref="CancellationToken"/>, which is cancelled on timeout, cancellation or shutdown.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FunctionAttribute : ContainerOptionsAttribute
{
}
