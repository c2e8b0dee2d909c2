using System.Reflection;

namespace Pipeline.Consumers.Discovery;

/// <summary>
/// Loads app assemblies named by path in configuration, each in its own <see cref="AppAssemblyLoadContext"/>, with
/// errors that name the setting. For processes that serve or schedule apps they were not built with (the scheduler
/// service; and the worker host, the gateway and the CLI).
/// </summary>
internal static class AppAssemblyLoader
{
    /// <summary>Loads each path; throws <see cref="InvalidOperationException"/> naming <paramref name="settingKey"/> for a wrong or missing path.</summary>
    /// <param name="paths">Paths of built app assemblies (.dll).</param>
    /// <param name="settingKey">The configuration key the paths came from, for example <c>Pipeline:Scheduler:Apps</c>.</param>
    public static IReadOnlyList<Assembly> Load(IEnumerable<string> paths, string settingKey)
    {
        var assemblies = new List<Assembly>();
        foreach (var configured in paths)
        {
            var path = Path.GetFullPath(configured);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"{settingKey} names '{configured}', which does not exist (resolved to '{path}'). Point it at the app's built .dll (for example bin/Release/net10.0/MyApp.dll).");
            }

            try
            {
                assemblies.Add(new AppAssemblyLoadContext(path).LoadFromAssemblyPath(path));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException(
                    $"{settingKey} names '{configured}', which cannot be loaded as a .NET assembly ({e.Message}). Point it at the app's built .dll (for example bin/Release/net10.0/MyApp.dll) and check that this process may read it.",
                    e);
            }
        }

        return assemblies.Count > 0
            ? assemblies
            : throw new InvalidOperationException(
                $"No app assembly: set {settingKey}:0 (or env {settingKey.Replace(":", "__", StringComparison.Ordinal)}__0) to the path of an app assembly.");
    }
}
