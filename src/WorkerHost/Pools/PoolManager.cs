using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Batching;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Consumers.Replies;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;
using Pipeline.Results;
using Pipeline.WorkerHost.Metrics;
using Pipeline.WorkerHost.Processes;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// Forms pools on demand: takes a slot (and a cross-host lease under <c>MaxContainers</c>), builds the container,
/// runs its <c>enter</c> hooks, and only then consumes the pool's queue. Stops a pool on scale-down, on a lost
/// broker connection, and on host shutdown: consuming stops, in-flight inputs finish, then <c>exit</c> runs.
/// </summary>
internal sealed class PoolManager(
    AppRegistry registry,
    IPoolTransport transport,
    SlotInventory slots,
    InvocationHandler handler,
    IResultStore results,
    IRetryScheduler retries,
    ReplySender replies,
    TimeProvider time,
    IOptions<WorkerOptions> options,
    ILoggerFactory loggers,
    StuckAttempts? stuck = null,
    AppObjects? objects = null,
    ProcessContainers? processes = null)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Pool?>>> _pools = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<PoolManager>();
    private readonly ConcurrentDictionary<string, string> _refusals = new(StringComparer.Ordinal);
    private volatile bool _stopping;

    private StuckAttempts Stuck { get; } = stuck ?? new(options.Value.StuckAttemptGrace, options.Value.ExitGracePeriod);

    public bool IsServing(string queue) => _pools.ContainsKey(queue);

    /// <summary>Starts the pool a notice names, unless it runs here already or cannot run here. Never throws for a bad notice.</summary>
    public async Task EnsureAsync(PoolDemanded demand, CancellationToken cancellationToken)
    {
        if (_stopping || _pools.ContainsKey(demand.Queue))
        {
            return;
        }

        PoolPlan plan;
        try
        {
            plan = Plan(demand);
        }
        catch (UnknownTargetException e) when (RefusingPlan(demand) is { } refusing)
        {
            // An app served here, a target it does not have (app.nope): its inputs would wait forever for a host that
            // cannot exist, so this host consumes them and rejects each with the reason (reply and _error).
            Refuse(demand.Queue, $"{e.Message} Its inputs are rejected.");
            plan = refusing;
        }
        catch (Exception e) when (e is UnknownTargetException or ParameterException or ArgumentException or FormatException)
        {
            Refuse(demand.Queue, e.Message);
            return;
        }

        if (!slots.CouldEverSatisfy(plan.Gpu))
        {
            Refuse(demand.Queue, $"needs GPU {plan.Gpu}, which this host does not have");
            return;
        }

        // Lazy: a notice and the reconciler may ask for the same pool at once; only one starts it.
        var start = _pools.GetOrAdd(demand.Queue, _ => new Lazy<Task<Pool?>>(() => StartAsync(plan, cancellationToken)));
        var pool = await start.Value.ConfigureAwait(false);
        if (pool is null)
        {
            _pools.TryRemove(new KeyValuePair<string, Lazy<Task<Pool?>>>(demand.Queue, start));
        }
    }

    /// <summary>Stops pools whose container has been idle for their scale-down window (keeping <c>MinContainers</c>).</summary>
    public async Task ScaleDownIdleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var pool in Running())
        {
            var idle = pool.Slot.InFlight == 0 && now - pool.Slot.LastActivity >= pool.Plan.Settings.ScaledownWindow;
            if (idle && pool.Plan.Settings.MinContainers == 0)
            {
                await StopPoolAsync(pool, "scale-down", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops one pool (broker connection lost, lease lost): its container runs <c>exit</c>; its queue is left as it is.</summary>
    public async Task StopPoolAsync(string queue, string reason, CancellationToken cancellationToken)
    {
        if (_pools.TryGetValue(queue, out var start) && await start.Value.ConfigureAwait(false) is { } pool)
        {
            await StopPoolAsync(pool, reason, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Host shutdown: stops consuming every pool, lets in-flight inputs finish, then runs exit hooks, within the grace period.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var pools = new List<Pool>();
        foreach (var start in _pools.Values)
        {
            try
            {
                if (await start.Value.ConfigureAwait(false) is { } pool)
                {
                    pools.Add(pool);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A pool that never started (or whose start was cancelled) has nothing to stop.
            }
        }

        Log.Stopping(_logger, pools.Count, options.Value.ExitGracePeriod.TotalSeconds);
        await Task.WhenAll(pools.Select(p => StopPoolAsync(p, "shutdown", cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Each pool here now, for the metrics: starting (slot, lease, <c>enter</c>), running (inputs in flight) or idle.</summary>
    public IReadOnlyList<PoolActivity> Activity() => [.. _pools.Select(entry =>
        entry.Value is { IsValueCreated: true, Value: { IsCompletedSuccessfully: true, Result: { } pool } }
            ? new PoolActivity(entry.Key, pool.Slot.InFlight > 0 ? "running" : "idle", pool.Slot.InFlight)
            : new PoolActivity(entry.Key, "starting", 0))];

    private List<Pool> Running() => _pools.Values
        .Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully && l.Value.Result is not null)
        .Select(l => l.Value.Result!)
        .ToList();

    private PoolPlan Plan(PoolDemanded demand)
    {
        var settings = options.Value;
        if (demand.Class is null)
        {
            var function = registry.Resolve(demand.App, null, demand.Function ?? "");
            var queue = function.FunctionQueue;
            Check(demand, queue);
            var gpu = settings.IgnoreGpus ? null : GpuRequirement.Parse(function.Settings.Gpu);
            var concurrency = BatchCapacity.ForFunction(function, gpu is null ? settings.FunctionConcurrency : 1);
            // Short CPU work wants the broker's recommended prefetch; a GPU pool takes only what it runs, so its input
            // does not wait behind a busy GPU while another host's is free.
            var prefetch = gpu is null ? Math.Max(concurrency, settings.FunctionPrefetch) : concurrency;
            return new PoolPlan(queue, demand, null, ParameterSet.Empty, function.Settings, gpu, concurrency, prefetch);
        }

        var cls = registry.FindClass(demand.App, demand.Class)
            ?? throw new UnknownTargetException($"No class '{demand.Class}' in app '{demand.App}' here.");
        var parameters = cls.Schema.BindJson(demand.Parameters);
        var classQueue = QueueNames.ForClass(cls.App, cls.Name, parameters);
        Check(demand, classQueue);
        var classConcurrency = BatchCapacity.ForClass(cls);
        return new PoolPlan(classQueue, demand, cls, parameters, cls.Settings, settings.IgnoreGpus ? null : GpuRequirement.Parse(cls.Settings.Gpu), classConcurrency, classConcurrency);
    }

    // A pool for a function or class the app served here does not have: one CPU container that runs nothing, so every
    // input resolves to "no such function" and is rejected. Only for a queue named as the app's pools are.
    private PoolPlan? RefusingPlan(PoolDemanded demand)
    {
        if (registry.FindApp(demand.App) is null || (demand.Class ?? demand.Function) is not { Length: > 0 } target)
        {
            return null;
        }

        // app.function, or app.class and an optional parameter suffix: QueueNames spells both prefixes alike.
        var named = QueueNames.ForFunction(demand.App, target);
        if (demand.Class is null ? demand.Queue != named : !demand.Queue.StartsWith(named, StringComparison.Ordinal))
        {
            return null;
        }

        return new PoolPlan(demand.Queue, demand, null, ParameterSet.Empty, new ContainerSettings(), null, Concurrency: 1, Prefetch: 16);
    }

    private static void Check(PoolDemanded demand, string expected)
    {
        if (demand.Queue != expected)
        {
            throw new ArgumentException($"the notice names queue '{demand.Queue}' but its target and parameters make '{expected}'.");
        }
    }

    private async Task<Pool?> StartAsync(PoolPlan plan, CancellationToken cancellationToken)
    {
        var slotLease = slots.TryAcquire(plan.Gpu) ?? await EvictIdleAsync(plan, cancellationToken).ConfigureAwait(false);
        if (slotLease is null)
        {
            Refuse(plan.Queue, "no free slot here now; another host or a later reconcile takes it");
            return null;
        }

        _refusals.TryRemove(plan.Queue, out _);

        IPoolLease? lease = null;
        ContainerSlot? slot = null;
        try
        {
            if (plan.Settings.MaxContainers > 0)
            {
                lease = await transport.TryLeaseAsync(plan.Queue, plan.Settings.MaxContainers, cancellationToken).ConfigureAwait(false);
                if (lease is null)
                {
                    Refuse(plan.Queue, $"MaxContainers={plan.Settings.MaxContainers} containers already run on other hosts");
                    slots.Release(slotLease);
                    return null;
                }
            }

            var containerLogger = loggers.CreateLogger<Container>();
            slot = new ContainerSlot(
                plan.Queue,
                () => new Container(plan.Queue, plan.Class, plan.Parameters, time, containerLogger, slotLease.GpuIndices, objects) { Stuck = Stuck },
                time,
                options.Value.EnterRestartBackoff,
                plan.Concurrency);
            var pool = new Pool(plan, slot, slotLease, lease);
            Log.PoolStarting(_logger, plan.Queue, plan.Parameters.ToString());

            if (processes?.Runs(plan) == true)
            {
                // A process container enters and consumes in its own process; the slot here mirrors its inputs.
                pool.Endpoint = await processes.StartAsync(plan, slotLease, slot, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // enter runs before the queue is consumed: no input waits behind a container that is not ready.
                await slot.AcquireAsync().ConfigureAwait(false);
                pool.Endpoint = await transport.ConnectAsync(plan, deadLetters => new InvocationConsumer(slot, handler, results, retries, replies, deadLetters), cancellationToken).ConfigureAwait(false);
            }
            if (lease is not null)
            {
                pool.LostRegistration = lease.Lost.Register(() => _ = StopPoolAsync(pool, "lease lost", CancellationToken.None));
            }

            // A broker that closes the connection (maintenance, close_all_connections, a restart) ends the container:
            // it runs exit, and the reconciler enters a fresh one once the pool has input again after the reconnect.
            pool.EndpointLostRegistration = pool.Endpoint.Lost.Register(() => _ = Task.Run(() => OnEndpointLostAsync(pool)));

            Log.PoolConsuming(_logger, plan.Queue, string.Join(",", slotLease.GpuIndices));
            return pool;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A start cut short by shutdown is no failure, but its container may have entered all the same: it still
            // owes its exit, and the host must stop cleanly (an escaping cancellation aborted the process).
            if (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.PoolFailed(_logger, e, plan.Queue);
            }

            if (slot is not null)
            {
                // The container may have entered before consuming failed: it still owes its exit.
                await slot.StopAsync(options.Value.ExitGracePeriod).ConfigureAwait(false);
                slot.Dispose();
            }

            slots.Release(slotLease);
            if (lease is not null)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }
    }

    private async Task OnEndpointLostAsync(Pool pool)
    {
        Log.EndpointFaulted(_logger, pool.Queue);
        await StopPoolAsync(pool, "broker connection lost", CancellationToken.None).ConfigureAwait(false);
    }

    // Busy pools wait for slots that idle pools hold: the least recently used idle container makes room (Modal's
    // autoscaler also stops idle containers before their window when capacity is short).
    private async Task<SlotLease?> EvictIdleAsync(PoolPlan plan, CancellationToken cancellationToken)
    {
        foreach (var idle in Running().Where(p => p.Slot.InFlight == 0 && p.Plan.Settings.MinContainers == 0 && p.Queue != plan.Queue).OrderBy(p => p.Slot.LastActivity))
        {
            await StopPoolAsync(idle, $"making room for {plan.Queue}", cancellationToken).ConfigureAwait(false);
            if (slots.TryAcquire(plan.Gpu) is { } lease)
            {
                return lease;
            }
        }

        return null;
    }

    // The first refusal of a pool for a reason is news; the same one every reconcile is not.
    private void Refuse(string queue, string reason)
    {
        if (_refusals.TryGetValue(queue, out var last) && last == reason)
        {
            Log.DemandIgnoredAgain(_logger, queue, reason);
            return;
        }

        _refusals[queue] = reason;
        Log.DemandIgnored(_logger, queue, reason);
    }

    private async Task StopPoolAsync(Pool pool, string reason, CancellationToken cancellationToken)
    {
        if (!_pools.TryGetValue(pool.Queue, out var entry) || !entry.IsValueCreated || !entry.Value.IsCompletedSuccessfully ||
            entry.Value.Result != pool || !_pools.TryRemove(new KeyValuePair<string, Lazy<Task<Pool?>>>(pool.Queue, entry)))
        {
            return;
        }

        Log.PoolStopping(_logger, pool.Queue, reason);
        var grace = options.Value.ExitGracePeriod;

        // Half the grace period lets in-flight inputs finish; after that they are cancelled and go back to the
        // queue for another host, uncounted. The rest is for exit hooks.
        // A process container drains and exits in its own process, within a grace a little shorter than this one.
        var endpointGrace = pool.Endpoint is ChildContainer ? grace : grace / 2;
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(endpointGrace);
        try
        {
            if (pool.Endpoint is not null)
            {
                await pool.Endpoint.StopAsync(drain.Token).WaitAsync(endpointGrace, time, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            Log.DrainCut(_logger, pool.Queue, pool.Slot.InFlight);
        }

        await pool.Slot.StopAsync(grace / 2).ConfigureAwait(false);
        await pool.LostRegistration.DisposeAsync().ConfigureAwait(false);
        await pool.EndpointLostRegistration.DisposeAsync().ConfigureAwait(false);
        pool.Slot.Dispose();
        slots.Release(pool.SlotLease);
        if (pool.Lease is not null)
        {
            await pool.Lease.DisposeAsync().ConfigureAwait(false);
        }
    }
}
