namespace Pipeline.Messages.Manifests;

/// <summary>What a caller needs to know about an app to call it: its functions and its classes' parameters.</summary>
/// <param name="Name">The app name.</param>
/// <param name="Functions">The plain functions.</param>
/// <param name="Classes">The parameterized classes.</param>
public sealed record AppManifest(string Name, IReadOnlyList<FunctionManifest> Functions, IReadOnlyList<ClassManifest> Classes);
