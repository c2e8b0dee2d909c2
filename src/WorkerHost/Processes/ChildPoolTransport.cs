using Pipeline.Consumers.Invocations;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Processes;

/// <summary>
/// A process container's transport: the host's, except that the <c>MaxContainers</c> lease is the host's to hold (it
/// took one for this container before starting the process), so the child takes none of its own. The child runs
/// exactly the one container its host leased: while that lease is out, a second one is refused, so the child never
/// grows its pool to more containers inside itself (its host decides how many children run).
/// </summary>
internal sealed class ChildPoolTransport(IPoolTransport inner) : IPoolTransport
{
    private int _held;

    public Task<IPoolEndpoint> ConnectAsync(PoolPlan plan, Func<Uri, InvocationConsumer> consumer, CancellationToken cancellationToken) =>
        inner.ConnectAsync(plan, consumer, cancellationToken);

    public Task<IPoolLease?> TryLeaseAsync(string queue, int max, IReadOnlyList<int> gpus, CancellationToken cancellationToken) =>
        Task.FromResult<IPoolLease?>(Interlocked.CompareExchange(ref _held, 1, 0) == 0 ? new HostHeldLease(this) : null);

    public Task<IReadOnlyList<PoolQueueState>> ListPoolsAsync(CancellationToken cancellationToken) => inner.ListPoolsAsync(cancellationToken);

    public Task<long?> ReadyAsync(string queue, CancellationToken cancellationToken) => inner.ReadyAsync(queue, cancellationToken);

    public Task<bool> DeleteIdleAsync(string queue, CancellationToken cancellationToken) => inner.DeleteIdleAsync(queue, cancellationToken);

    private sealed class HostHeldLease(ChildPoolTransport transport) : IPoolLease
    {
        private int _disposed;

        // The host knows the slot number; the child only needs one.
        public int Slot => 0;

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Volatile.Write(ref transport._held, 0);
            }

            return ValueTask.CompletedTask;
        }
    }
}
