using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// Says what the host serves on start, and on stop (SIGTERM, SIGINT, host shutdown) stops every pool before the bus
/// stops: no new input, in-flight inputs finish or go back to the queue, then each container's <c>exit</c> runs.
/// Registered after MassTransit so that it stops first.
/// </summary>
internal sealed class WorkerHostedService(
    AppRegistry registry,
    SlotInventory slots,
    PoolManager pools,
    IRetryScheduler retries,
    ILogger<WorkerHostedService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Serving(logger, string.Join(", ", registry.Apps.Select(a => $"{a.Name} ({a.Functions.Count} functions, {a.Classes.Count} classes)")));
        foreach (var (where, gpu) in GpuSpecs())
        {
            foreach (var option in gpu.Options.Where(o => !o.IsKnownType))
            {
                SlotsLog.UnknownGpuType(logger, $"{where}: {gpu}", option.Type);
            }
        }

        if (!retries.IsDurable && registry.AllSettings.Any(s => s.Settings.Retries.MaxRetries > 0))
        {
            Log.RetriesInMemory(logger);
        }

        Log.Inventory(logger, slots.CpuSlots, slots.Gpus.Count == 0 ? "none" : string.Join(", ", slots.Gpus.Select(g => $"{g.Index}:{g.Name}")));
        return Task.CompletedTask;
    }

    private IEnumerable<(string Where, GpuRequirement Gpu)> GpuSpecs() => registry.AllSettings
        .Select(s => (s.Where, Gpu: GpuRequirement.Parse(s.Settings.Gpu)))
        .Where(s => s.Gpu is not null)
        .Select(s => (s.Where, s.Gpu!));

    public Task StopAsync(CancellationToken cancellationToken) => pools.StopAsync(cancellationToken);
}
