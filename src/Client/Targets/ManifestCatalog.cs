using Pipeline.Messages.Manifests;
using Pipeline.Messages.Naming;

namespace Pipeline.Client.Targets;

/// <summary>The apps a client knows, by normalized name; used to check names and apply parameter defaults before hashing.</summary>
internal sealed class ManifestCatalog(IEnumerable<AppManifest> manifests)
{
    private readonly Dictionary<string, AppManifest> _apps = manifests.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public AppManifest App(string app) => _apps.GetValueOrDefault(Names.Normalize(app)) ?? throw new ArgumentException(
        $"No app named '{app}' is known to this client. Known apps: {Join(_apps.Keys)}.", nameof(app));

    public FunctionManifest Function(string app, string function)
    {
        var manifest = App(app);
        return manifest.Functions.FirstOrDefault(f => f.Name == Names.Normalize(function)) ?? throw new ArgumentException(
            $"App '{manifest.Name}' has no function named '{function}'. Known functions: {Join(manifest.Functions.Select(f => f.Name))}.", nameof(function));
    }

    public ClassManifest Class(string app, string cls)
    {
        var manifest = App(app);
        return manifest.Classes.FirstOrDefault(c => c.Name == Names.Normalize(cls)) ?? throw new ArgumentException(
            $"App '{manifest.Name}' has no class named '{cls}'. Known classes: {Join(manifest.Classes.Select(c => c.Name))}.", nameof(cls));
    }

    private static string Join(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
