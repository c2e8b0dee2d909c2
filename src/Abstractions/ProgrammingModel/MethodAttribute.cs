namespace Pipeline;

/// <summary>Marks an instance method of a <see cref="ClsAttribute"/> class as callable (Modal's <c>@modal.method()</c>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class MethodAttribute : Attribute
{
    /// <summary>The name callers use; defaults to the C# name in kebab-case without <c>Async</c>.</summary>
    public string? Name { get; set; }
}
