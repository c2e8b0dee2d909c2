using Pipeline.Messages.Manifests;

namespace Pipeline.Consumers.Discovery;

/// <summary>One app: its functions and classes, by normalized name.</summary>
internal sealed class AppDefinition
{
    public required string Name { get; init; }

    public required IReadOnlyDictionary<string, Callable> Functions { get; init; }

    public required IReadOnlyDictionary<string, ClassDefinition> Classes { get; init; }

    public AppManifest ToManifest() => new(
        Name,
        Functions.Values.Select(Describe).ToList(),
        Classes.Values.Select(c => new ClassManifest(c.Name, c.Schema, c.Methods.Values.Select(Describe).ToList())).ToList());

    private static FunctionManifest Describe(Callable callable) =>
        new(callable.Name, callable.Arguments.Select(a => a.Name).ToList());
}
