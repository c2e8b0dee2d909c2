using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Discovery;
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
    IServiceProvider services,
    ILogger<WorkerHostedService> logger) : IHostedService
{
    private ConnectHandle? _observer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IBus>() is { } bus && services.GetService<PoolEndpointObserver>() is { } observer)
        {
            _observer = bus.ConnectReceiveEndpointObserver(observer);
        }

        Log.Serving(logger, string.Join(", ", registry.Apps.Select(a => $"{a.Name} ({a.Functions.Count} functions, {a.Classes.Count} classes)")));
        Log.Inventory(logger, slots.CpuSlots, slots.Gpus.Count == 0 ? "none" : string.Join(", ", slots.Gpus.Select(g => $"{g.Index}:{g.Name}")));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stopping our own endpoints must not look like a lost connection.
        _observer?.Disconnect();
        await pools.StopAsync(cancellationToken).ConfigureAwait(false);
    }
}
