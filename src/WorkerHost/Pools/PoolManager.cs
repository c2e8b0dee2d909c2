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
/// Forms pools on demand and scales them: each container takes a slot here (a CPU slot or its GPUs) and a numbered lease
/// across hosts (at most <c>MaxContainers</c>; the lowest <c>MinContainers</c> are the warm ones), runs its
/// <c>enter</c> hooks, and only then gets input. A pool's queue is consumed once per host; its inputs go to the least
/// busy container here. More containers start while the work per container exceeds the target
/// (<c>[Concurrent(TargetInputs)]</c>), idle ones stop after the scale-down window, and a pool stops on a lost broker
/// connection and on host shutdown: consuming stops, in-flight inputs finish, then <c>exit</c> runs.
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
    PoolScaleOverrides? overrides = null,
    ProcessContainers? processes = null)
{
    /// <summary>The lease slots a pool without <c>MaxContainers</c> has across all hosts.</summary>
    internal const int UnlimitedLeases = 1000;

    private readonly ConcurrentDictionary<string, Lazy<Task<Pool?>>> _pools = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<PoolManager>();
    private readonly ConcurrentDictionary<string, string> _refusals = new(StringComparer.Ordinal);
    private volatile bool _stopping;

    // Stops under way (a whole pool's, or one container's): shutdown waits for them as well, so a scale-down, an
    // eviction or a lost lease that began just before it still ends with exit rather than with the process.
    private readonly ConcurrentDictionary<Task, byte> _pendingStops = new();

    private StuckAttempts Stuck { get; } = stuck ?? new(options.Value.StuckAttemptGrace, options.Value.ExitGracePeriod);

    /// <summary>The scaling settings set at run time, read by the reconciler.</summary>
    public PoolScaleOverrides Overrides { get; } = overrides ?? new PoolScaleOverrides();

    public bool IsServing(string queue) => _pools.ContainsKey(queue);

    /// <summary>Starts the pool a notice names, unless it runs here already or cannot run here. Never throws for a bad notice.</summary>
    public Task EnsureAsync(PoolDemanded demand, CancellationToken cancellationToken) => EnsureAsync(demand, warm: false, cancellationToken);

    /// <summary>
    /// Starts the pool a notice names, unless it runs here already or cannot run here. With <paramref name="warm"/>, only
    /// in one of the pool's warm lease slots (below <c>MinContainers</c>); when the pool runs here already, adds a warm
    /// container if one of those slots is free. Never throws for a bad notice.
    /// </summary>
    public async Task EnsureAsync(PoolDemanded demand, bool warm, CancellationToken cancellationToken)
    {
        if (_stopping)
        {
            return;
        }

        if (_pools.TryGetValue(demand.Queue, out var existing))
        {
            if (warm && existing is { IsValueCreated: true, Value: { IsCompletedSuccessfully: true, Result: { } running } })
            {
                var min = Scale(running.Plan).Min;
                if (min > 0 && !running.Stopped)
                {
                    await AddContainerAsync(running, min, "warm", cancellationToken).ConfigureAwait(false);
                }
            }

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

        var leases = warm ? Scale(plan).Min : LeaseLimit(plan);
        if (leases <= 0)
        {
            return;
        }

        // Lazy: a notice and the reconciler may ask for the same pool at once; only one starts it.
        var start = _pools.GetOrAdd(demand.Queue, _ => new Lazy<Task<Pool?>>(() => StartAsync(plan, leases, cancellationToken)));
        var pool = await start.Value.ConfigureAwait(false);
        if (pool is null)
        {
            _pools.TryRemove(new KeyValuePair<string, Lazy<Task<Pool?>>>(demand.Queue, start));
        }
    }

    /// <summary>
    /// The autoscaler's tick for the pools here: adds containers while the work per container exceeds the target (plus
    /// the buffer), within what the host has room for and <c>MaxContainers</c>; stops containers idle past the window
    /// that are not warm (and not kept as buffer), and a pool whose last container goes.
    /// </summary>
    /// <param name="ready">Ready messages per pool queue, as the broker last reported them; missing means none.</param>
    /// <param name="cancellationToken">Stops the tick.</param>
    public async Task ScaleAsync(IReadOnlyDictionary<string, long> ready, CancellationToken cancellationToken)
    {
        await ScaleDownIdleAsync(cancellationToken).ConfigureAwait(false);
        foreach (var pool in Running())
        {
            await GrowAsync(pool, ready.GetValueOrDefault(pool.Queue), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops containers idle for their scale-down window (keeping the warm ones and, while busy, the buffer).</summary>
    public async Task ScaleDownIdleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var pool in Running())
        {
            var scale = Scale(pool.Plan);
            var containers = pool.Containers;
            var idle = containers.Where(c => pool.Dispatch.Running(c.Slot) == 0).ToList();
            var busy = pool.Dispatch.InFlight > 0 || pool.Dispatch.Waiting > 0;

            // A container above a lowered MaxContainers is past its window at once.
            var stop = PoolScaling.ToStop(
                [.. idle.Select(c => ((int?)c.Lease.Slot, scale.Max > 0 && c.Lease.Slot >= scale.Max ? TimeSpan.MaxValue : now - c.Slot.LastActivity))],
                pool.Plan.Settings.ScaledownWindow,
                scale.Min,
                scale.Buffer,
                busy);
            if (stop.Count == 0)
            {
                continue;
            }

            if (stop.Count == containers.Count && !busy && pool.Starting == 0)
            {
                // Bounded by the grace, not by the tick: a host that begins to stop meanwhile lets this stop run exit.
                await StopPoolAsync(pool, "scale-down", CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            await Task.WhenAll(stop.Select(i => StopContainerAsync(pool, idle[i], "scale-down"))).ConfigureAwait(false);
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
        await Task.WhenAll(_pendingStops.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // Runs a stop that has begun to completion, known to shutdown meanwhile.
    private async Task TrackAsync(Task stop)
    {
        _pendingStops.TryAdd(stop, 0);
        try
        {
            await stop.ConfigureAwait(false);
        }
        finally
        {
            _pendingStops.TryRemove(stop, out _);
        }
    }

    /// <summary>Each pool here now, for the metrics: starting (slot, lease, <c>enter</c>), running (inputs in flight) or idle.</summary>
    public IReadOnlyList<PoolActivity> Activity() => [.. _pools.Select(entry =>
        entry.Value is { IsValueCreated: true, Value: { IsCompletedSuccessfully: true, Result: { } pool } }
            ? new PoolActivity(entry.Key, pool.Dispatch.InFlight > 0 ? "running" : "idle", pool.Dispatch.InFlight)
            : new PoolActivity(entry.Key, "starting", 0))];

    /// <summary>The containers of each pool here now: their lease slot and GPU indices.</summary>
    public IReadOnlyList<(string Queue, int Slot, IReadOnlyList<int> Gpus)> Containers() =>
        [.. Running().SelectMany(p => p.Containers.Select(c => (p.Queue, c.Lease.Slot, c.SlotLease.GpuIndices)))];

    /// <summary>The scaling settings in effect for a pool queue here, or null when it is not served here.</summary>
    public PoolScale? ScaleOf(string queue) =>
        _pools.TryGetValue(queue, out var entry) && entry is { IsValueCreated: true, Value: { IsCompletedSuccessfully: true, Result: { } pool } }
            ? Scale(pool.Plan)
            : null;

    private List<Pool> Running() => _pools.Values
        .Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully && l.Value.Result is not null)
        .Select(l => l.Value.Result!)
        .ToList();

    private PoolScale Scale(PoolPlan plan) => Overrides.For(plan.Queue, plan.Settings);

    private int LeaseLimit(PoolPlan plan) => Scale(plan).Max is > 0 and var max ? max : UnlimitedLeases;

    private PoolPlan Plan(PoolDemanded demand)
    {
        var settings = options.Value;
        if (demand.Class is null)
        {
            var function = registry.Resolve(demand.App, null, demand.Function ?? "");
            var queue = function.FunctionQueue;
            Check(demand, queue);
            var gpu = settings.IgnoreGpus ? null : GpuRequirement.Parse(function.Settings.Gpu);
            var perContainer = function.Settings.MaxInputs ?? (gpu is null ? settings.FunctionConcurrency : 1);
            var concurrency = BatchCapacity.ForFunction(function, perContainer);
            var capacity = Capacity(gpu, function.Settings);
            var inputs = Math.Min(BatchCapacity.MaxPrefetch, concurrency * capacity);

            // Short CPU work wants the broker's recommended prefetch; a GPU pool takes only what its containers here
            // could run, so its input does not wait behind busy GPUs while another host's are free.
            var prefetch = gpu is null ? Math.Min(BatchCapacity.MaxPrefetch, Math.Max(inputs, settings.FunctionPrefetch)) : inputs;
            return new PoolPlan(queue, demand, null, ParameterSet.Empty, function.Settings, gpu, concurrency, prefetch, capacity, function.Settings.TargetInputs ?? concurrency);
        }

        var cls = registry.FindClass(demand.App, demand.Class)
            ?? throw new UnknownTargetException($"No class '{demand.Class}' in app '{demand.App}' here.");
        var parameters = cls.Schema.BindJson(demand.Parameters);
        var classQueue = QueueNames.ForClass(cls.App, cls.Name, parameters);
        Check(demand, classQueue);
        var classGpu = settings.IgnoreGpus ? null : GpuRequirement.Parse(cls.Settings.Gpu);
        var classConcurrency = cls.Settings.MaxInputs ?? BatchCapacity.ForClass(cls);
        var classCapacity = Capacity(classGpu, cls.Settings);
        var classInputs = Math.Min(BatchCapacity.MaxPrefetch, classConcurrency * classCapacity);
        return new PoolPlan(classQueue, demand, cls, parameters, cls.Settings, classGpu, classConcurrency, classInputs, classCapacity, cls.Settings.TargetInputs ?? classConcurrency);
    }

    // How many containers of the pool this host could ever run: what its slots fit, within MaxContainers.
    private int Capacity(GpuRequirement? gpu, ContainerSettings settings)
    {
        var most = Math.Max(1, slots.MostContainers(gpu));
        return settings.MaxContainers > 0 ? Math.Min(most, settings.MaxContainers) : most;
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

    private async Task<Pool?> StartAsync(PoolPlan plan, int leases, CancellationToken cancellationToken)
    {
        var slotLease = slots.TryAcquire(plan.Gpu) ?? await EvictIdleAsync(plan, cancellationToken).ConfigureAwait(false);
        if (slotLease is null)
        {
            Refuse(plan.Queue, "no free slot here now; another host or a later reconcile takes it");
            return null;
        }

        _refusals.TryRemove(plan.Queue, out _);

        IPoolLease? lease = null;
        PoolContainer? container = null;
        try
        {
            lease = await transport.TryLeaseAsync(plan.Queue, leases, slotLease.GpuIndices, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                var max = Scale(plan).Max;
                Refuse(plan.Queue, max > 0 && leases == max
                    ? $"MaxContainers={max} containers already run on other hosts"
                    : $"its {leases} warm container(s) (MinContainers) already run");
                slots.Release(slotLease);
                return null;
            }

            var pool = new Pool(plan, new ContainerDispatch(time, chunkLimit: plan.InputLimit));
            container = NewContainer(pool, slotLease, lease);
            Log.PoolStarting(_logger, plan.Queue, plan.Parameters.ToString());

            if (processes?.Runs(plan) == true)
            {
                // A process container enters and consumes in its own process; its slot here mirrors its inputs. A
                // process pool runs one child per host for now: it is not scaled within a host (see AddContainerAsync).
                pool.TryAdd(container);
                pool.Endpoint = await processes.StartAsync(plan, slotLease, container.Slot, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // enter runs before the queue is consumed: no input waits behind a container that is not ready.
                await container.Slot.AcquireAsync().ConfigureAwait(false);
                pool.TryAdd(container);
                pool.Dispatch.Pressed += () => OnPressed(pool);
                pool.Endpoint = await transport.ConnectAsync(plan, deadLetters => new InvocationConsumer(pool.Dispatch, handler, results, retries, replies, deadLetters), cancellationToken).ConfigureAwait(false);
            }

            var first = container;
            container.LostRegistration = lease.Lost.Register(() => _ = StopContainerAsync(pool, first, "lease lost"));

            // A broker that closes the connection (maintenance, close_all_connections, a restart) ends the containers:
            // they run exit, and the reconciler enters fresh ones once the pool has input again after the reconnect.
            pool.EndpointLostRegistration = pool.Endpoint.Lost.Register(() => _ = Task.Run(() => OnEndpointLostAsync(pool)));

            Log.PoolConsuming(_logger, plan.Queue, string.Join(",", slotLease.GpuIndices));
            ScalingLog.ContainerAdded(_logger, plan.Queue, lease.Slot, string.Join(",", slotLease.GpuIndices), "first", 1);
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

            if (container is not null)
            {
                // The container may have entered before consuming failed: it still owes its exit.
                await container.Slot.StopAsync(options.Value.ExitGracePeriod).ConfigureAwait(false);
                container.Slot.Dispose();
            }

            slots.Release(slotLease);
            if (lease is not null)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }
    }

    private PoolContainer NewContainer(Pool pool, SlotLease slotLease, IPoolLease lease)
    {
        var plan = pool.Plan;
        var containerLogger = loggers.CreateLogger<Container>();
        var slot = new ContainerSlot(
            plan.Queue,
            () => new Container(plan.Queue, plan.Class, plan.Parameters, time, containerLogger, slotLease.GpuIndices, objects) { Stuck = Stuck },
            time,
            options.Value.EnterRestartBackoff,
            plan.Concurrency);
        return new PoolContainer(slot, slotLease, lease);
    }

    // An input found every container here busy: add one now rather than at the next tick, if the pool wants it.
    private void OnPressed(Pool pool)
    {
        if (!_stopping && !pool.Stopped)
        {
            _ = Task.Run(() => GrowAsync(pool, 0, CancellationToken.None));
        }
    }

    private async Task GrowAsync(Pool pool, long ready, CancellationToken cancellationToken)
    {
        if (_stopping || pool.Stopped || !pool.TryBeginGrowing())
        {
            return;
        }

        try
        {
            // Inputs keep arriving while containers enter: look again after each round that added one.
            bool added;
            do
            {
                var scale = Scale(pool.Plan);
                var wanted = PoolScaling.Wanted(pool.Dispatch.Busy, pool.Dispatch.Waiting, ready, pool.Plan.TargetInputs, scale.Buffer, pool.Plan.Capacity, scale.Max);
                var missing = wanted - pool.Containers.Count - pool.Starting;
                if (missing <= 0 || _stopping || pool.Stopped)
                {
                    return;
                }

                var started = await Task.WhenAll(Enumerable.Range(0, missing).Select(_ => AddContainerAsync(pool, LeaseLimit(pool.Plan), "backlog", cancellationToken))).ConfigureAwait(false);
                added = started.Any(s => s);
                ready = 0;
            }
            while (added);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.PoolFailed(_logger, e, pool.Queue);
        }
        finally
        {
            pool.EndGrowing();
        }
    }

    // One more container for a running pool, in a lease slot below leases; false when the host has no room, the
    // leases are all held, or its enter failed (the pool's other containers serve meanwhile).
    private async Task<bool> AddContainerAsync(Pool pool, int leases, string reason, CancellationToken cancellationToken)
    {
        // A process pool's child consumes the queue itself, so a second in-process container here would take no input
        // (and would run enter in the host): process pools keep one child per host until children are scaled too.
        if (processes?.Runs(pool.Plan) == true || slots.TryAcquire(pool.Plan.Gpu) is not { } slotLease)
        {
            return false;
        }

        pool.BeginStarting();
        IPoolLease? lease = null;
        PoolContainer? container = null;
        try
        {
            lease = await transport.TryLeaseAsync(pool.Queue, leases, slotLease.GpuIndices, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                slots.Release(slotLease);
                return false;
            }

            container = NewContainer(pool, slotLease, lease);
            var entered = await container.Slot.AcquireAsync().ConfigureAwait(false);
            if (entered.State != ContainerState.Ready)
            {
                ScalingLog.ContainerEnterFailed(_logger, pool.Queue);
            }
            else if (!_stopping && pool.TryAdd(container))
            {
                var added = container;
                container.LostRegistration = lease.Lost.Register(() => _ = StopContainerAsync(pool, added, "lease lost"));
                ScalingLog.ContainerAdded(_logger, pool.Queue, lease.Slot, string.Join(",", slotLease.GpuIndices), reason, pool.Containers.Count);
                return true;
            }

            await container.Slot.StopAsync(options.Value.ExitGracePeriod / 2).ConfigureAwait(false);
            container.Slot.Dispose();
            slots.Release(slotLease);
            await lease.DisposeAsync().ConfigureAwait(false);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.PoolFailed(_logger, e, pool.Queue);
            }

            if (container is not null)
            {
                await container.Slot.StopAsync(options.Value.ExitGracePeriod / 2).ConfigureAwait(false);
                container.Slot.Dispose();
            }

            slots.Release(slotLease);
            if (lease is not null)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }

            return false;
        }
        finally
        {
            pool.EndStarting();
        }
    }

    // One container of a pool that keeps serving: it takes no new input, its running inputs finish (or are cut at half
    // the grace and go back to the queue), then exit runs. The pool's last container stops the pool.
    private async Task StopContainerAsync(Pool pool, PoolContainer container, string reason)
    {
        if (pool.Containers.Count <= 1 && pool.Starting == 0)
        {
            await StopPoolAsync(pool, reason, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (!container.BeginStop())
        {
            return;
        }

        var left = pool.Remove(container);
        ScalingLog.ContainerStopping(_logger, pool.Queue, container.Lease.Slot, reason, left);
        await TrackAsync(DrainAndReleaseAsync(pool, container)).ConfigureAwait(false);
    }

    private async Task DrainAndReleaseAsync(Pool pool, PoolContainer container)
    {
        var grace = options.Value.ExitGracePeriod;
        try
        {
            await pool.Dispatch.RemoveAsync(container.Slot).WaitAsync(grace / 2, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.DrainCut(_logger, pool.Queue, pool.Dispatch.Running(container.Slot));
        }

        await ReleaseAsync(container, grace / 2).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(PoolContainer container, TimeSpan grace)
    {
        await container.Slot.StopAsync(grace).ConfigureAwait(false);
        await container.LostRegistration.DisposeAsync().ConfigureAwait(false);
        container.Slot.Dispose();
        slots.Release(container.SlotLease);
        await container.Lease.DisposeAsync().ConfigureAwait(false);
    }

    private async Task OnEndpointLostAsync(Pool pool)
    {
        Log.EndpointFaulted(_logger, pool.Queue);
        await StopPoolAsync(pool, "broker connection lost", CancellationToken.None).ConfigureAwait(false);
    }

    // Busy pools wait for slots that idle pools hold: the least recently used idle pool without warm containers makes
    // room (Modal's autoscaler also stops idle containers before their window when capacity is short).
    private async Task<SlotLease?> EvictIdleAsync(PoolPlan plan, CancellationToken cancellationToken)
    {
        foreach (var idle in Running().Where(p => p.Dispatch.InFlight == 0 && Scale(p.Plan).Min == 0 && p.Queue != plan.Queue).OrderBy(p => p.Dispatch.LastActivity))
        {
            await StopPoolAsync(idle, $"making room for {plan.Queue}", CancellationToken.None).ConfigureAwait(false);
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

        pool.Stopped = true;
        Log.PoolStopping(_logger, pool.Queue, reason);
        await TrackAsync(StopRemovedPoolAsync(pool, cancellationToken)).ConfigureAwait(false);
    }

    // The rest of a pool's stop, once it is out of the pool table.
    private async Task StopRemovedPoolAsync(Pool pool, CancellationToken cancellationToken)
    {
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
                // Inputs admitted but still waiting for a turn go back to the queue now rather than run within the
                // grace; the endpoint's stop (which cancels its consumer first) is already under way, so they go to
                // other hosts.
                var stopping = pool.Endpoint.StopAsync(drain.Token);
                if (pool.Dispatch.Close() is > 0 and var givenBack)
                {
                    Log.GivenBack(_logger, pool.Queue, givenBack);
                }

                await stopping.WaitAsync(endpointGrace, time, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            Log.DrainCut(_logger, pool.Queue, pool.Dispatch.InFlight);
        }

        await pool.EndpointLostRegistration.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(pool.Containers.Where(c => c.BeginStop()).Select(c =>
        {
            pool.Remove(c);
            return ReleaseAsync(c, grace / 2);
        })).ConfigureAwait(false);
    }
}
