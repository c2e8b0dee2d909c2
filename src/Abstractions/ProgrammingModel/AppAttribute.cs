namespace Pipeline;

/// <summary>
/// Names the app that the functions and classes belong to (Modal's <c>modal.App("name")</c>).
/// Put it on the assembly (<c>[assembly: App("inference")]</c>) or on a class; a class's own wins.
/// </summary>
/// <param name="name">The app name, normalized to kebab-case in queue names.</param>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AppAttribute(string name) : Attribute
{
    /// <summary>The app name.</summary>
    public string Name { get; } = name;
}
