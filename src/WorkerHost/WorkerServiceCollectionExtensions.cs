using System.Reflection;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Results;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost;

/// <summary>Registers a worker host's services; the transport is configured by the caller.</summary>
public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// Discovers the apps in <paramref name="appAssemblies"/> (throwing <see cref="AppDefinitionException"/> for any mistake)
    /// and registers the pool machinery. Safe to call twice: the first call wins.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="appAssemblies">The assemblies holding [App] functions and classes.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddPipelineWorker(this IServiceCollection services, IEnumerable<Assembly> appAssemblies)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(appAssemblies);
        if (services.Any(s => s.ServiceType == typeof(AppRegistry)))
        {
            return services;
        }

        services.AddSingleton(AppDiscovery.Discover(appAssemblies));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IResultStore>(sp => new InMemoryResultStore(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<InvocationHandler>();
        services.AddSingleton<PoolManager>();
        services.AddOptions<WorkerOptions>()
            .Validate(o => o.ExitGracePeriod > TimeSpan.Zero, $"{WorkerOptions.Section}:ExitGracePeriod must be positive.")
            .Validate(o => o.FunctionConcurrency >= 1, $"{WorkerOptions.Section}:FunctionConcurrency must be at least 1.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>Adds the consumer of pool notices to a MassTransit registration.</summary>
    /// <param name="configurator">The bus registration.</param>
    internal static void AddPipelineWorkerConsumers(this IBusRegistrationConfigurator configurator) =>
        configurator.AddConsumer<PoolDemandedConsumer>();
}
