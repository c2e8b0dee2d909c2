using System.Reflection;
using Pipeline.Messages.Manifests;

namespace Pipeline;

/// <summary>What a calling service needs to know about apps it references: names, arguments, parameter defaults.</summary>
public static class AppManifests
{
    /// <summary>Discovers the apps in the assemblies (validating them as a worker host would) and describes them.</summary>
    /// <param name="assemblies">The app assemblies.</param>
    /// <returns>One manifest per app.</returns>
    /// <exception cref="AppDefinitionException">An app's attributes are wrong.</exception>
    public static IReadOnlyList<AppManifest> From(params Assembly[] assemblies) =>
        Consumers.Discovery.AppDiscovery.Discover(assemblies).Manifests;
}
