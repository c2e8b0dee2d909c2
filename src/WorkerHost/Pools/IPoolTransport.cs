using Pipeline.Consumers.Invocations;

namespace Pipeline.WorkerHost.Pools;

/// <summary>What pools need from the broker: consuming a pool queue, cross-host leases, and the list of pool queues.</summary>
internal interface IPoolTransport
{
    /// <summary>Starts consuming the pool's queue; the consumer is made with the address of the pool's dead letters.</summary>
    Task<IPoolEndpoint> ConnectAsync(PoolPlan plan, Func<Uri, InvocationConsumer> consumer, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lowest free one of <paramref name="max"/> container leases of a pool across all hosts, labelled with this
    /// host and the container's <paramref name="gpus"/> (what <c>pipeline pools</c> shows), or null when all are held.
    /// </summary>
    Task<IPoolLease?> TryLeaseAsync(string queue, int max, IReadOnlyList<int> gpus, CancellationToken cancellationToken);

    /// <summary>The pool queues the broker has, with their depth; empty where the transport cannot list them.</summary>
    Task<IReadOnlyList<PoolQueueState>> ListPoolsAsync(CancellationToken cancellationToken);

    /// <summary>The exact number of ready messages in a pool queue now (the list above lags); null when it does not exist.</summary>
    Task<long?> ReadyAsync(string queue, CancellationToken cancellationToken);

    /// <summary>Deletes a pool queue only if it is empty and unused; false when the broker refuses.</summary>
    Task<bool> DeleteIdleAsync(string queue, CancellationToken cancellationToken);
}
