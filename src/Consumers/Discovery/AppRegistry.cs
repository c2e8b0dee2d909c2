using Pipeline.Messages.Manifests;
using Pipeline.Messages.Naming;

namespace Pipeline.Consumers.Discovery;

/// <summary>
/// Every app, function and class found by <see cref="AppDiscovery"/>. Names are looked up normalized, so
/// <c>NightlyReport</c>, <c>nightly-report</c> and <c>NightlyReportAsync</c> find the same function.
/// </summary>
internal sealed class AppRegistry
{
    private readonly Dictionary<string, AppDefinition> _apps;

    public AppRegistry(IEnumerable<AppDefinition> apps)
    {
        _apps = apps.ToDictionary(a => a.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<AppDefinition> Apps => _apps.Values;

    /// <summary>Every function's and class's settings, with a readable name: what start-up checks walk.</summary>
    public IEnumerable<(string Where, ContainerSettings Settings)> AllSettings => _apps.Values.SelectMany(a =>
        a.Functions.Values.Select(f => (f.DisplayName, f.Settings))
            .Concat(a.Classes.Values.Select(c => ($"{c.App}.{c.Name}", c.Settings))));

    /// <summary>Every function and class method served over HTTP, in app, class and name order.</summary>
    public IReadOnlyList<Callable> WebEndpoints => _apps.Values.OrderBy(a => a.Name, StringComparer.Ordinal)
        .SelectMany(a => a.Functions.Values.Concat(a.Classes.Values.OrderBy(c => c.Name, StringComparer.Ordinal).SelectMany(c => c.Methods.Values)))
        .Where(c => c.WebEndpoint is not null)
        .OrderBy(c => c.DisplayName, StringComparer.Ordinal)
        .ToList();

    public IReadOnlyList<AppManifest> Manifests => _apps.Values.Select(a => a.ToManifest()).ToList();

    public AppDefinition? FindApp(string app) => _apps.GetValueOrDefault(Names.Normalize(app));

    public Callable? FindFunction(string app, string function) =>
        FindApp(app)?.Functions.GetValueOrDefault(Names.Normalize(function));

    public ClassDefinition? FindClass(string app, string cls) =>
        FindApp(app)?.Classes.GetValueOrDefault(Names.Normalize(cls));

    /// <summary>Finds what an invocation names, or says precisely what is missing.</summary>
    public Callable Resolve(string app, string? cls, string function)
    {
        var definition = FindApp(app) ?? throw new UnknownTargetException(
            $"No app named '{app}' is registered here. Known apps: {Join(_apps.Keys)}.");
        if (cls is null)
        {
            return definition.Functions.GetValueOrDefault(Names.Normalize(function)) ?? throw new UnknownTargetException(
                $"App '{definition.Name}' has no function named '{function}'. Known functions: {Join(definition.Functions.Keys)}.");
        }

        var classDefinition = definition.Classes.GetValueOrDefault(Names.Normalize(cls)) ?? throw new UnknownTargetException(
            $"App '{definition.Name}' has no class named '{cls}'. Known classes: {Join(definition.Classes.Keys)}.");
        return classDefinition.Methods.GetValueOrDefault(Names.Normalize(function)) ?? throw new UnknownTargetException(
            $"Class '{definition.Name}.{classDefinition.Name}' has no method named '{function}'. Known methods: {Join(classDefinition.Methods.Keys)}.");
    }

    private static string Join(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
