using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Pipeline.Consumers.Discovery;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Metrics;

/// <summary>
/// The worker host's gauges, under the meter <c>Pipeline</c> beside the counters of calls and containers: each pool's
/// backlog (what an autoscaler scales on), inputs in flight, containers by state, and GPU and CPU slots free and used.
/// Observed at each scrape from what the host already knows; nothing here asks the broker.
/// </summary>
internal sealed class WorkerMetrics : IHostedService
{
    private static readonly KeyValuePair<string, object?> Free = new("pipeline.state", "free");
    private static readonly KeyValuePair<string, object?> Used = new("pipeline.state", "used");

    private readonly PoolManager _pools;
    private readonly PoolBacklog _backlog;
    private readonly AppRegistry _registry;

    public WorkerMetrics(IMeterFactory meters, PoolManager pools, PoolBacklog backlog, SlotInventory slots, AppRegistry registry)
    {
        _pools = pools;
        _backlog = backlog;
        _registry = registry;
        var meter = meters.Create("Pipeline");
        meter.CreateObservableGauge("pipeline.pool.backlog", ObserveBacklog, "{message}",
            "Messages ready in each pool queue of the apps this host serves, as the management API last reported them (seconds old).");
        meter.CreateObservableGauge("pipeline.pool.in_flight", ObserveInFlight, "{input}",
            "Inputs this host holds in each pool it serves: running, waiting for a turn, or on the result store before or after running.");
        meter.CreateObservableGauge("pipeline.host.containers", ObserveContainers, "{container}",
            "Containers on this host by pool and state: starting (taking a slot, running enter), running (inputs in flight), idle.");
        meter.CreateObservableGauge<int>("pipeline.host.gpu.slots", () =>
        {
            var free = slots.FreeGpuIndices.Count;
            return (IEnumerable<Measurement<int>>)[new Measurement<int>(free, Free), new Measurement<int>(slots.Gpus.Count - free, Used)];
        }, "{gpu}", "This host's GPUs, free or lent to a container.");
        meter.CreateObservableGauge<int>("pipeline.host.cpu.slots", () =>
        {
            var free = slots.FreeCpuSlots;
            return (IEnumerable<Measurement<int>>)[new Measurement<int>(free, Free), new Measurement<int>(slots.CpuSlots - free, Used)];
        }, "{slot}", "This host's CPU container slots (Pipeline:Worker:CpuSlots), free or lent to a container.");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<long>> ObserveBacklog() => _backlog.Pools
        .Where(p => _registry.FindApp(p.Demand.App) is not null)
        .Select(p => new Measurement<long>(
            p.Ready,
            new KeyValuePair<string, object?>("pipeline.queue", p.Queue),
            new KeyValuePair<string, object?>("pipeline.app", p.Demand.App),
            new KeyValuePair<string, object?>("pipeline.function", p.Demand.Class ?? p.Demand.Function)));

    private IEnumerable<Measurement<int>> ObserveInFlight() => _pools.Activity()
        .Select(p => new Measurement<int>(p.InFlight, new KeyValuePair<string, object?>("pipeline.queue", p.Queue)));

    private IEnumerable<Measurement<int>> ObserveContainers() => _pools.Activity()
        .Select(p => new Measurement<int>(1, new KeyValuePair<string, object?>("pipeline.queue", p.Queue), new KeyValuePair<string, object?>("pipeline.state", p.State)));
}
