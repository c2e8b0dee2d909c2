using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;
using Pipeline.Results;
using Pipeline.WorkerHost.Metrics;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// Every <see cref="WorkerOptions.ReconcileInterval"/>: reads the scaling settings <c>pipeline pools scale</c> stored,
/// scales the pools here (containers up under backlog, idle ones down), starts pools that hold input and have no
/// container here (after every host restarted, or a notice was lost: nobody has to publish again), takes free warm
/// slots of <c>MinContainers</c> pools, keeps the pools' backlog for the metrics, and deletes pool queues empty and unused for <see cref="WorkerOptions.QueueIdleTimeout"/>.
/// </summary>
internal sealed class PoolReconciler(
    PoolManager pools,
    IPoolTransport transport,
    PoolBacklog backlog,
    AppRegistry registry,
    TimeProvider time,
    IOptions<WorkerOptions> options,
    ILogger<PoolReconciler> logger,
    PoolScalingStore? scaling = null) : BackgroundService
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
        await ReadOverridesAsync(cancellationToken).ConfigureAwait(false);
        var listed = await transport.ListPoolsAsync(cancellationToken).ConfigureAwait(false);
        backlog.Update(listed);
        await pools.ScaleAsync(listed.ToDictionary(s => s.Queue, s => s.Ready, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);

        // Warm containers: each host takes free warm lease slots (below MinContainers) while it has room, so the pool
        // has MinContainers across all hosts without traffic; a dead host's slots are taken by the others.
        foreach (var function in registry.Apps.SelectMany(a => a.Functions.Values))
        {
            var demand = new PoolDemanded { Queue = function.FunctionQueue, App = function.App, Function = function.Name };
            if (pools.Overrides.For(demand.Queue, function.Settings).Min > 0)
            {
                await pools.EnsureAsync(demand, warm: true, cancellationToken).ConfigureAwait(false);
            }
        }

        var now = time.GetUtcNow();
        foreach (var state in listed)
        {
            if (registry.FindApp(state.Demand.App) is null)
            {
                continue;
            }

            if (state.Demand.Class is not null && MinContainers(state.Demand) > 0)
            {
                await pools.EnsureAsync(state.Demand, warm: true, cancellationToken).ConfigureAwait(false);
            }

            if (pools.IsServing(state.Queue))
            {
                continue;
            }

            // The management API's numbers are seconds old: confirm a backlog with an exact count before entering a container.
            if (state.Ready > 0 && await transport.ReadyAsync(state.Queue, cancellationToken).ConfigureAwait(false) > 0)
            {
                await pools.EnsureAsync(state.Demand, cancellationToken).ConfigureAwait(false);
            }
            else if (MinContainers(state.Demand) > 0)
            {
                continue;
            }
            else if (state.Messages == 0 && state.Consumers == 0 && state.IdleSince is { } idle && now - idle >= options.Value.QueueIdleTimeout &&
                await transport.DeleteIdleAsync(state.Queue, cancellationToken).ConfigureAwait(false))
            {
                Log.QueueDeleted(logger, state.Queue);
            }
        }
    }

    private int MinContainers(PoolDemanded demand) =>
        (demand.Class is null ? registry.FindFunction(demand.App, demand.Function ?? "")?.Settings : registry.FindClass(demand.App, demand.Class)?.Settings) is { } settings
            ? pools.Overrides.For(demand.Queue, settings).Min
            : 0;

    private static string Show(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "as the app says";

    // What pipeline pools scale set, read on each tick; a store that cannot be read keeps the last settings.
    private async Task ReadOverridesAsync(CancellationToken cancellationToken)
    {
        if (scaling is null)
        {
            return;
        }

        try
        {
            var rows = await scaling.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            var next = rows.ToDictionary(r => r.Queue, StringComparer.Ordinal);
            foreach (var (queue, scale) in next)
            {
                if (!pools.Overrides.Current.TryGetValue(queue, out var before) || before != scale)
                {
                    ScalingLog.ScaleChanged(logger, queue, Show(scale.Min), Show(scale.Max), Show(scale.Buffer));
                }
            }

            pools.Overrides.Replace(next);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ScalingLog.OverridesFailed(logger, e);
        }
    }
}
