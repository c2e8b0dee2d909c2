using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Consumers.Replies;
using Pipeline.Results;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Processes;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost;

/// <summary>Registers a worker's services; the transport (<see cref="IPoolTransport"/>) is registered by the caller.</summary>
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

        var assemblies = appAssemblies.ToList();
        var registry = AppDiscovery.Discover(assemblies);
        CheckGpuSpecs(registry);
        services.AddSingleton(registry);

        // The app's own services (IPipelineApp), then the seam that builds its objects from the host's provider.
        AppServices.Configure(services, assemblies);
        services.TryAddSingleton(sp => new AppObjects(sp));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IResultStore>(sp => new InMemoryResultStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => CreateInventory(sp.GetRequiredService<IOptions<WorkerOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<CallCancellations>();
        services.TryAddSingleton<IRetryScheduler>(sp => new HoldingRetryScheduler(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<InvocationHandler>();
        services.TryAddSingleton<IReplyAddressCheck, AnyReplyAddress>();
        services.AddSingleton<ReplySender>();
        services.TryAddSingleton(sp =>
        {
            var worker = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            return new StuckAttempts(worker.StuckAttemptGrace, worker.ExitGracePeriod);
        });
        services.AddSingleton<PoolManager>();
        services.AddOptions<WorkerOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        return services;
    }

    // A GPU spec is checked once at start-up, so a typo stops the host instead of leaving a pool that never starts.
    private static void CheckGpuSpecs(AppRegistry registry)
    {
        var problems = new List<string>();
        foreach (var (where, settings) in registry.AllSettings)
        {
            try
            {
                GpuRequirement.Parse(settings.Gpu);
            }
            catch (FormatException e)
            {
                problems.Add($"{where}: {e.Message}");
            }
        }

        if (problems.Count > 0)
        {
            throw new AppDefinitionException(problems);
        }
    }

    // A declared inventory wins; otherwise nvidia-smi says what the machine has (once, at start-up). Either way a
    // CUDA_VISIBLE_DEVICES set on the host narrows it: that is how a process container owns exactly its GPUs.
    private static SlotInventory CreateInventory(WorkerOptions options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(GpuDetector));
        if (Environment.GetEnvironmentVariable(ContainerProcess.GpusVariable) is { Length: > 0 })
        {
            // A process container owns exactly the GPUs its host lent it, without asking nvidia-smi again.
            return new SlotInventory(options.CpuSlots, ContainerProcess.GpusFromEnvironment());
        }

        var gpus = options.Gpus.Count > 0
            ? GpuDevice.FromNames(options.Gpus)
            : options.DetectGpus && !options.IgnoreGpus
                ? GpuDetector.DetectAsync(options.NvidiaSmiPath, logger, CancellationToken.None).GetAwaiter().GetResult()
                : [];
        return new SlotInventory(options.CpuSlots, GpuVisibility.Apply(gpus, Environment.GetEnvironmentVariable(GpuVisibility.Variable), logger));
    }

    private sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
    {
        public ValidateOptionsResult Validate(string? name, WorkerOptions options)
        {
            var problems = options.Validate().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
