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

    // Pools with backlog that found no slot here for their first container, and when: no pool grows a second container
    // of the same kind meanwhile. The reconciler asks again every tick while the backlog lasts, so older entries lapse.
    private readonly ConcurrentDictionary<string, (bool Gpu, DateTimeOffset At)> _starved = new(StringComparer.Ordinal);
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
            // The management API's count is seconds old: inputs that children (or this host) took a moment ago still
            // look ready, and would start containers that find nothing to do. Confirm with an exact count first.
            // A count that cannot be had (no such count on this transport, or the broker did not answer within a reconcile
            // interval) keeps the listed one, so a broker hiccup never stops the tick. Process pools only: an in-process
            // pool's inputs wait in the host's dispatch (counted there), and confirming its counts as well broke the
            // broker-disconnect test's re-forming (not understood yet, docs/notes.md).
            var waiting = ready.GetValueOrDefault(pool.Queue);
            if (waiting > 0 && processes?.Runs(pool.Plan) == true)
            {
                using var quick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                quick.CancelAfter(options.Value.ReconcileInterval);
                try
                {
                    waiting = await transport.ReadyAsync(pool.Queue, quick.Token).ConfigureAwait(false) ?? waiting;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Log.PoolFailed(_logger, e, pool.Queue);
                }
            }

            await GrowAsync(pool, waiting, cancellationToken).ConfigureAwait(false);
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
            var idle = containers.Where(c => Idle(pool, c)).ToList();
            var busy = InFlight(pool) > 0 || pool.Dispatch.Waiting > 0;

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
            ? new PoolActivity(entry.Key, InFlight(pool) > 0 ? "running" : "idle", InFlight(pool))
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

    // Inputs running on a container: handed out by the dispatch here, or, in a child process, as the child reports them.
    private static int RunningOn(Pool pool, PoolContainer container) =>
        container.Process is null ? pool.Dispatch.Running(container.Slot) : container.Slot.InFlight;

    // A container with nothing to do (PoolScaling.IsIdle).
    private static bool Idle(Pool pool, PoolContainer container) =>
        PoolScaling.IsIdle(RunningOn(pool, container), pool.Dispatch.Waiting, ownConsumer: container.Process is not null);

    // Inputs of the pool here: those this host's consumer holds plus those its child processes run.
    private static int InFlight(Pool pool) => pool.Dispatch.InFlight + ChildInputs(pool);

    private static int ChildInputs(Pool pool) => pool.Containers.Where(c => c.Process is not null).Sum(c => c.Slot.InFlight);

    // Whether another pool with backlog waits here for a first container of the same kind as this pool's.
    private bool Starved(GpuRequirement? gpu, string queue)
    {
        var since = time.GetUtcNow() - 2 * options.Value.ReconcileInterval;
        foreach (var (waiting, entry) in _starved)
        {
            if (entry.At < since)
            {
                _starved.TryRemove(new KeyValuePair<string, (bool, DateTimeOffset)>(waiting, entry));
            }
        }

        return !PoolScaling.MayGrow(gpu is not null, _starved.Where(e => e.Key != queue).Select(e => e.Value.Gpu));
    }

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
            _starved[plan.Queue] = (plan.Gpu is not null, time.GetUtcNow());
            Refuse(plan.Queue, "no free slot here now; another host or a later reconcile takes it");
            return null;
        }

        _refusals.TryRemove(plan.Queue, out _);
        _starved.TryRemove(plan.Queue, out _);

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
                // A process container enters and consumes the queue in its own process (each child is its own consumer);
                // its slot here mirrors its inputs. The pool has no consumer here: its containers are its endpoints.
                container.Process = await processes.StartAsync(plan, slotLease, container.Slot, cancellationToken).ConfigureAwait(false);
                container.Slot.Touch();
                pool.TryAdd(container);
                WatchProcess(pool, container);
            }
            else
            {
                // enter runs before the queue is consumed: no input waits behind a container that is not ready.
                await container.Slot.AcquireAsync().ConfigureAwait(false);
                container.Slot.Touch();
                pool.TryAdd(container);
                pool.Dispatch.Pressed += () => OnPressed(pool);
                pool.Endpoint = await transport.ConnectAsync(plan, deadLetters => new InvocationConsumer(pool.Dispatch, handler, results, retries, replies, deadLetters), cancellationToken).ConfigureAwait(false);
            }

            var first = container;
            container.LostRegistration = lease.Lost.Register(() => _ = StopContainerAsync(pool, first, "lease lost"));

            // A broker that closes the connection (maintenance, close_all_connections, a restart) ends the containers:
            // they run exit, and the reconciler enters fresh ones once the pool has input again after the reconnect.
            if (pool.Endpoint is not null)
            {
                pool.EndpointLostRegistration = pool.Endpoint.Lost.Register(() => _ = Task.Run(() => OnEndpointLostAsync(pool)));
            }

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
                await StopChildAsync(container, options.Value.ExitGracePeriod).ConfigureAwait(false);
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
                var wanted = PoolScaling.Wanted(pool.Dispatch.Busy + ChildInputs(pool), pool.Dispatch.Waiting, ready, pool.Plan.TargetInputs, scale.Buffer, pool.Plan.Capacity, scale.Max);
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
        if (reason != "warm" && Starved(pool.Plan.Gpu, pool.Queue) || slots.TryAcquire(pool.Plan.Gpu) is not { } slotLease)
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
            bool ready;
            if (processes?.Runs(pool.Plan) == true)
            {
                // Its own child process, on the GPUs of its slot lease, consuming the queue itself (throws when it fails
                // to start; a child that crashed a moment ago is replaced after the enter back-off).
                container.Process = await processes.StartAsync(pool.Plan, slotLease, container.Slot, cancellationToken).ConfigureAwait(false);
                ready = true;
            }
            else
            {
                ready = (await container.Slot.AcquireAsync().ConfigureAwait(false)).State == ContainerState.Ready;
                if (!ready)
                {
                    ScalingLog.ContainerEnterFailed(_logger, pool.Queue);
                }
            }

            // The idle clock starts now, not when the slot was taken: a slow enter or child start is no idle time.
            container.Slot.Touch();
            if (ready && !_stopping && pool.TryAdd(container))
            {
                var added = container;
                container.LostRegistration = lease.Lost.Register(() => _ = StopContainerAsync(pool, added, "lease lost"));
                WatchProcess(pool, container);
                ScalingLog.ContainerAdded(_logger, pool.Queue, lease.Slot, string.Join(",", slotLease.GpuIndices), reason, pool.Containers.Count);
                return true;
            }

            await ReleaseAsync(container, Grace(container)).ConfigureAwait(false);
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
                await ReleaseAsync(container, Grace(container)).ConfigureAwait(false);
                return false;
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
        if (container.Process is not null)
        {
            // A child drains and exits in its own process (its siblings keep consuming), within the whole grace.
            await pool.Dispatch.RemoveAsync(container.Slot).ConfigureAwait(false);
            await ReleaseAsync(container, grace).ConfigureAwait(false);
            return;
        }

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

    // How long a container's release may take: a child process gets the whole grace (it drains, then runs exit); an
    // in-process container the half left after its inputs' drain.
    private TimeSpan Grace(PoolContainer container) =>
        container.Process is null ? options.Value.ExitGracePeriod / 2 : options.Value.ExitGracePeriod;

    // A child that exits unasked (crash, self-kill of a stuck or terminated container, its broker connection lost) ends
    // this container only: its siblings keep serving, its unacknowledged inputs go back to the queue, and the
    // autoscaler (or the reconciler, for the pool's last one) starts a replacement, after a back-off for a crash.
    private void WatchProcess(Pool pool, PoolContainer container)
    {
        if (container.Process is { } child)
        {
            container.ProcessLostRegistration = child.Lost.Register(() => _ = Task.Run(() => StopContainerAsync(pool, container, "its process exited")));
        }
    }

    private async Task StopChildAsync(PoolContainer container, TimeSpan grace)
    {
        if (container.Process is not { } child)
        {
            return;
        }

        await container.ProcessLostRegistration.DisposeAsync().ConfigureAwait(false);

        // Asked on its standard input; killed when it has not stopped within the grace.
        using var cut = new CancellationTokenSource(grace, time);
        await child.StopAsync(cut.Token).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(PoolContainer container, TimeSpan grace)
    {
        await StopChildAsync(container, grace).ConfigureAwait(false);
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

    // A pool with backlog and no container here waits for slots others hold: an idle container (not warm) of the pool
    // holding the most slots makes room, the whole pool when it was its last (Modal's autoscaler also stops idle
    // containers before their window when capacity is short). Together with Starved, every pool with backlog gets a
    // container before a scaled pool takes the freed slot back.
    private async Task<SlotLease?> EvictIdleAsync(PoolPlan plan, CancellationToken cancellationToken)
    {
        // Each round stops one container; a GPU pool may need several freed.
        for (var round = 0; round < slots.CpuSlots + slots.Gpus.Count; round++)
        {
            var now = time.GetUtcNow();
            var held = Running()
                .Where(p => p.Queue != plan.Queue && !p.Stopped)
                .SelectMany(p =>
                {
                    var min = Scale(p.Plan).Min;
                    var containers = p.Containers;
                    var poolSlots = containers.Sum(c => Math.Max(1, c.SlotLease.GpuIndices.Count));
                    return containers.Select(c => (Pool: p, Container: c, Candidate: new EvictionCandidate(
                        poolSlots, c.Lease.Slot, min, Idle(p, c), now - c.Slot.LastActivity, c.SlotLease.IsGpu == (plan.Gpu is not null))));
                })
                .ToList();
            if (PoolScaling.ToEvict([.. held.Select(h => h.Candidate)]) is not { } chosen)
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            await StopContainerAsync(held[chosen].Pool, held[chosen].Container, $"making room for {plan.Queue}").ConfigureAwait(false);
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
        // A process pool has no consumer here: each child drains and exits in its own process, within a grace a little
        // shorter than this one (below).
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(grace / 2);
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

                await stopping.WaitAsync(grace / 2, time, CancellationToken.None).ConfigureAwait(false);
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
            return ReleaseAsync(c, Grace(c));
        })).ConfigureAwait(false);
    }
}
