using Pipeline.Consumers.Invocations;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Processes;

/// <summary>
/// A process container's transport: the host's, except that the <c>MaxContainers</c> lease is the host's to hold (it
/// took one for this container before starting the process), so the child takes none of its own.
/// </summary>
internal sealed class ChildPoolTransport(IPoolTransport inner) : IPoolTransport
{
    public Task<IPoolEndpoint> ConnectAsync(PoolPlan plan, Func<Uri, InvocationConsumer> consumer, CancellationToken cancellationToken) =>
        inner.ConnectAsync(plan, consumer, cancellationToken);

    public Task<IPoolLease?> TryLeaseAsync(string queue, int max, CancellationToken cancellationToken) =>
        Task.FromResult<IPoolLease?>(HostHeldLease.Instance);

    public Task<IReadOnlyList<PoolQueueState>> ListPoolsAsync(CancellationToken cancellationToken) => inner.ListPoolsAsync(cancellationToken);

    public Task<long?> ReadyAsync(string queue, CancellationToken cancellationToken) => inner.ReadyAsync(queue, cancellationToken);

    public Task<bool> DeleteIdleAsync(string queue, CancellationToken cancellationToken) => inner.DeleteIdleAsync(queue, cancellationToken);

    private sealed class HostHeldLease : IPoolLease
    {
        public static readonly HostHeldLease Instance = new();

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
