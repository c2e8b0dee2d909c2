using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;
using Pipeline.WorkerHost.Metrics;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// Every <see cref="WorkerOptions.ReconcileInterval"/>: scales idle containers down, starts pools that hold input and
/// have no container here (after every host restarted, or a notice was lost: nobody has to publish again), keeps
/// <c>MinContainers</c> function pools up, keeps the pools' backlog for the metrics, and deletes pool queues empty and unused for <see cref="WorkerOptions.QueueIdleTimeout"/>.
/// </summary>
internal sealed class PoolReconciler(
    PoolManager pools,
    IPoolTransport transport,
    PoolBacklog backlog,
    AppRegistry registry,
    TimeProvider time,
    IOptions<WorkerOptions> options,
    ILogger<PoolReconciler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReconcileInterval, time);
        do
        {
            try
            {
                await ReconcileOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.ReconcileFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    internal async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        await pools.ScaleDownIdleAsync(cancellationToken).ConfigureAwait(false);
        foreach (var function in registry.Apps.SelectMany(a => a.Functions.Values).Where(f => f.Settings.MinContainers > 0))
        {
            var queue = function.FunctionQueue;
            await pools.EnsureAsync(new PoolDemanded { Queue = queue, App = function.App, Function = function.Name }, cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        var listed = await transport.ListPoolsAsync(cancellationToken).ConfigureAwait(false);
        backlog.Update(listed);
        foreach (var state in listed)
        {
            if (registry.FindApp(state.Demand.App) is null || pools.IsServing(state.Queue))
            {
                continue;
            }

            // The management API's numbers are seconds old: confirm a backlog with an exact count before entering a container.
            if (MinContainers(state.Demand) > 0 ||
                (state.Ready > 0 && await transport.ReadyAsync(state.Queue, cancellationToken).ConfigureAwait(false) > 0))
            {
                await pools.EnsureAsync(state.Demand, cancellationToken).ConfigureAwait(false);
            }
            else if (state.Messages == 0 && state.Consumers == 0 && state.IdleSince is { } idle && now - idle >= options.Value.QueueIdleTimeout &&
                await transport.DeleteIdleAsync(state.Queue, cancellationToken).ConfigureAwait(false))
            {
                Log.QueueDeleted(logger, state.Queue);
            }
        }
    }

    private int MinContainers(PoolDemanded demand) => demand.Class is null
        ? registry.FindFunction(demand.App, demand.Function ?? "")?.Settings.MinContainers ?? 0
        : registry.FindClass(demand.App, demand.Class)?.Settings.MinContainers ?? 0;
}
