using Pipeline.Messages.Parameters;

namespace Pipeline.Messages.Manifests;

/// <summary>A parameterized class: its parameters and its methods.</summary>
/// <param name="Name">The class's normalized name.</param>
/// <param name="Parameters">The declared parameters, with defaults.</param>
/// <param name="Methods">The methods a caller can invoke.</param>
public sealed record ClassManifest(string Name, ParameterSchema Parameters, IReadOnlyList<FunctionManifest> Methods);
