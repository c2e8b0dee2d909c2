using System.Reflection;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Manifests;

namespace Pipeline.Cli.Hosting;

/// <summary>
/// The app assemblies a verb works with, loaded in their own load contexts by the shared loader, and what they declare.
/// The command learns function names and parameter defaults from the assembly, as a calling service does
/// (<c>AppManifests.From</c>), not from the broker: a pool queue only describes pools that exist already.
/// </summary>
internal sealed class LoadedApps
{
    private LoadedApps(IReadOnlyList<Assembly> assemblies, AppRegistry registry)
    {
        Assemblies = assemblies;
        Registry = registry;
        Manifests = registry.Manifests;
    }

    public IReadOnlyList<Assembly> Assemblies { get; }

    public IReadOnlyList<AppManifest> Manifests { get; }

    /// <summary>What discovery found, as a worker host sees it: argument types and parameter members, for checking a call before it is sent.</summary>
    public AppRegistry Registry { get; }

    /// <summary>Loads and validates the apps; every problem is a usage error (exit 2) naming the fix.</summary>
    public static LoadedApps Load(IReadOnlyList<string> paths, string verb)
    {
        if (paths.Count == 0)
        {
            throw new CliException(
                $"pipeline {verb} needs the app's assembly to know its functions and parameters: pass --app-assembly path/to/App.dll " +
                $"(or set {CliSettings.AppsKey}:0, env Pipeline__Cli__Apps__0)",
                ExitCodes.Usage);
        }

        IReadOnlyList<Assembly> assemblies;
        try
        {
            assemblies = AppAssemblyLoader.Load(paths, "--app-assembly");
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
        catch (BadImageFormatException)
        {
            throw new CliException(
                $"--app-assembly names a file that is not a .NET assembly ({string.Join(", ", paths)}); point it at the app's built .dll (for example bin/Debug/net10.0/MyApp.dll)",
                ExitCodes.Usage);
        }

        try
        {
            return new LoadedApps(assemblies, AppDiscovery.Discover(assemblies));
        }
        catch (AppDefinitionException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }
}
