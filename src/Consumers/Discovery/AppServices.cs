using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Consumers.Discovery;

/// <summary>Finds each app assembly's <see cref="IPipelineApp"/> and lets it register the app's services.</summary>
internal static class AppServices
{
    /// <summary>Calls <see cref="IPipelineApp.ConfigureServices"/> of every implementation in <paramref name="assemblies"/>.</summary>
    /// <exception cref="AppDefinitionException">An implementation cannot be built, or its ConfigureServices threw.</exception>
    public static void Configure(IServiceCollection services, IEnumerable<Assembly> assemblies)
    {
        var problems = new List<string>();
        foreach (var type in assemblies.Distinct().SelectMany(Types).Where(t => typeof(IPipelineApp).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false }))
        {
            if (type.ContainsGenericParameters || type.GetConstructor(Type.EmptyTypes) is null)
            {
                problems.Add($"{type.Name} implements IPipelineApp but has no public parameterless constructor (or is generic), so the host cannot build it. Give it one; services go in ConfigureServices, not the constructor.");
                continue;
            }

            try
            {
                ((IPipelineApp)Activator.CreateInstance(type)!).ConfigureServices(services);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{type.Name}.ConfigureServices threw {e.GetType().Name}: {e.Message}. Fix the registration; it runs once, at start-up.");
            }
        }

        if (problems.Count > 0)
        {
            throw new AppDefinitionException(problems);
        }
    }

    private static IEnumerable<Type> Types(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}
