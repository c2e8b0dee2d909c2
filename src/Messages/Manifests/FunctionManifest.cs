namespace Pipeline.Messages.Manifests;

/// <summary>A function or method a caller can invoke.</summary>
/// <param name="Name">The function's normalized name.</param>
/// <param name="Parameters">The names of its arguments, in order (a <c>CancellationToken</c> is not one).</param>
public sealed record FunctionManifest(string Name, IReadOnlyList<string> Parameters);
