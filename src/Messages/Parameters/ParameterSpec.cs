namespace Pipeline.Messages.Parameters;

/// <summary>One declared class parameter: its wire name, its type and its default, if any.</summary>
/// <param name="Name">The wire name (camelCase of the C# member), used for hashing and in JSON.</param>
/// <param name="Type">The declared type.</param>
/// <param name="Default">The default value; <see langword="null"/> when the parameter is required.</param>
public sealed record ParameterSpec(string Name, ParameterType Type, ParameterValue? Default = null)
{
    /// <summary>Whether a caller must give this parameter.</summary>
    public bool IsRequired => Default is null;
}
