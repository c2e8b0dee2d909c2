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
        // Shared with the host: anything the host already has (Pipeline.*, MassTransit, Microsoft.Extensions.*).
        if (assemblyName.Name is { } name && (name.StartsWith("Pipeline.", StringComparison.Ordinal) || IsLoadedByHost(assemblyName)))
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

    private static bool IsLoadedByHost(AssemblyName assemblyName) =>
        Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(assemblyName, a.GetName()));
}
