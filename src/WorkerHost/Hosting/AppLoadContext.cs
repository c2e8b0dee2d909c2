using System.Reflection;
using System.Runtime.Loader;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// Loads an app assembly in its own context, resolving its dependencies from the app's deps.json, while
/// Pipeline's own assemblies and the framework come from the host, so the attributes the app uses are the host's.
/// </summary>
internal sealed class AppLoadContext(string appPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(appPath), isCollectible: false)
{
    private readonly AssemblyDependencyResolver _resolver = new(appPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Shared with the host: anything the host has itself (Pipeline.*, MassTransit, Microsoft.Extensions.*), so
        // the attributes and contracts the app uses are the host's own types. The rest comes from the app's deps.json.
        if (IsLoadedByHost(assemblyName) || HostHas(assemblyName))
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

    private static bool HostHas(AssemblyName assemblyName) =>
        assemblyName.Name is { } name && File.Exists(Path.Combine(AppContext.BaseDirectory, name + ".dll"));

    private static bool IsLoadedByHost(AssemblyName assemblyName) =>
        Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(assemblyName, a.GetName()));
}
