using Pipeline.Consumers.Lifecycle;

namespace Pipeline.WorkerHost.Pools;

/// <summary>A pool served by this host: its containers here, the dispatch that hands them inputs, and the consumer of its queue.</summary>
internal sealed class Pool(PoolPlan plan, ContainerDispatch dispatch)
{
    private readonly Lock _gate = new();
    private readonly List<PoolContainer> _containers = [];
    private int _starting;
    private int _growing;

    public PoolPlan Plan { get; } = plan;

    public string Queue => Plan.Queue;

    public ContainerDispatch Dispatch { get; } = dispatch;

    public IPoolEndpoint? Endpoint { get; set; }

    public CancellationTokenRegistration EndpointLostRegistration { get; set; }

    /// <summary>Set once the pool is stopping: no container is added any more.</summary>
    public bool Stopped { get; set; }

    /// <summary>Containers taking a slot and running <c>enter</c> for this pool now.</summary>
    public int Starting => Volatile.Read(ref _starting);

    /// <summary>The containers here now (a snapshot).</summary>
    public IReadOnlyList<PoolContainer> Containers
    {
        get
        {
            lock (_gate)
            {
                return [.. _containers];
            }
        }
    }

    public void BeginStarting() => Interlocked.Increment(ref _starting);

    public void EndStarting() => Interlocked.Decrement(ref _starting);

    /// <summary>Claims the right to grow the pool (one grower at a time); pair with <see cref="EndGrowing"/>.</summary>
    public bool TryBeginGrowing() => Interlocked.Exchange(ref _growing, 1) == 0;

    public void EndGrowing() => Volatile.Write(ref _growing, 0);

    /// <summary>Adds an entered container; false when the pool stopped meanwhile (the caller stops it).</summary>
    public bool TryAdd(PoolContainer container)
    {
        lock (_gate)
        {
            if (Stopped)
            {
                return false;
            }

            _containers.Add(container);
        }

        Dispatch.Add(container.Slot);
        return true;
    }

    /// <summary>Forgets a container; returns how many are left.</summary>
    public int Remove(PoolContainer container)
    {
        lock (_gate)
        {
            _containers.Remove(container);
            return _containers.Count;
        }
    }
}
