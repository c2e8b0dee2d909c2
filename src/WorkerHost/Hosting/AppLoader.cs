using System.Reflection;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>Loads the app assemblies named in <see cref="WorkerOptions.Apps"/>, with clear errors for a wrong path.</summary>
internal static class AppLoader
{
    public static IReadOnlyList<Assembly> Load(IEnumerable<string> paths)
    {
        var assemblies = new List<Assembly>();
        foreach (var configured in paths)
        {
            var path = Path.GetFullPath(configured);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"{WorkerOptions.Section}:Apps names '{configured}', which does not exist (resolved to '{path}'). Point it at the app's built .dll (for example bin/Release/net10.0/MyApp.dll).");
            }

            var context = new AppLoadContext(path);
            assemblies.Add(context.LoadFromAssemblyPath(path));
        }

        return assemblies.Count > 0
            ? assemblies
            : throw new InvalidOperationException(
                $"No app to serve: set {WorkerOptions.Section}:Apps:0 (or env Pipeline__Worker__Apps__0) to the path of an app assembly.");
    }
}
