using System.Reflection;
using System.Runtime.Loader;

namespace Pipeline.Consumers.Discovery;

/// <summary>
/// Loads an app assembly in its own context, resolving its dependencies from the app's deps.json, while
/// Pipeline's own assemblies and the framework come from the process, so the attributes the app uses are the process's.
/// </summary>
internal sealed class AppAssemblyLoadContext(string appPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(appPath), isCollectible: false)
{
    private readonly AssemblyDependencyResolver _resolver = new(appPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Shared with the process: anything it has itself (Pipeline.*, Microsoft.Extensions.*), so the attributes and
        // contracts the app uses are the process's own types. The rest comes from the app's deps.json.
        if (IsLoadedByProcess(assemblyName) || ProcessHas(assemblyName))
        {
            return null;
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static bool ProcessHas(AssemblyName assemblyName) =>
        assemblyName.Name is { } name && File.Exists(Path.Combine(AppContext.BaseDirectory, name + ".dll"));

    private static bool IsLoadedByProcess(AssemblyName assemblyName) =>
        Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(assemblyName, a.GetName()));
}
