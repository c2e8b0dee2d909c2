using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Metrics;

/// <summary>
/// The pool queues as the reconciler last listed them (the management API's numbers, seconds old), for the backlog
/// gauge: a scrape reads this snapshot and never waits on the broker.
/// </summary>
internal sealed class PoolBacklog
{
    private volatile IReadOnlyList<PoolQueueState> _pools = [];

    public IReadOnlyList<PoolQueueState> Pools => _pools;

    public void Update(IReadOnlyList<PoolQueueState> pools) => _pools = pools;
}
