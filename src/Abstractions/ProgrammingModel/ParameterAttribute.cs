namespace Pipeline;

/// <summary>
/// Marks a settable property or field of a <see cref="ClsAttribute"/> class as a class parameter (Modal's
/// <c>modal.parameter()</c>). Types: <c>string</c>, <c>int</c>, <c>long</c>, <c>bool</c>, <c>byte[]</c>.
/// A <c>required</c> member has no default; otherwise its initializer is the default, applied before hashing.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class ParameterAttribute : Attribute
{
    /// <summary>The wire name; defaults to the member name in camelCase.</summary>
    public string? Name { get; set; }
}
