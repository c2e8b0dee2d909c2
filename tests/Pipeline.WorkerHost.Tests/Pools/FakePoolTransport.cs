using System.Collections.Concurrent;
using Pipeline.Consumers.Invocations;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Tests.Pools;

/// <summary>A broker in memory: records endpoints and leases, and lists what a test says the broker holds.</summary>
internal sealed class FakePoolTransport : IPoolTransport
{
    private readonly ConcurrentDictionary<string, int> _leases = new();

    public ConcurrentQueue<string> Connected { get; } = new();

    public ConcurrentQueue<PoolPlan> Plans { get; } = new();

    public ConcurrentQueue<string> Stopped { get; } = new();

    public ConcurrentQueue<string> Deleted { get; } = new();

    public List<PoolQueueState> Listed { get; } = [];

    public Dictionary<string, long> ExactReady { get; } = [];

    public Action<string>? OnConnect { get; set; }

    public CancellationTokenSource LeaseLost { get; } = new();

    /// <summary>Cancel to act as the broker closing the connection under every endpoint connected so far; replace it for later ones.</summary>
    public CancellationTokenSource ConnectionLost { get; set; } = new();

    public Task<IPoolEndpoint> ConnectAsync(PoolPlan plan, Func<Uri, InvocationConsumer> consumer, CancellationToken cancellationToken)
    {
        OnConnect?.Invoke(plan.Queue);
        Connected.Enqueue(plan.Queue);
        Plans.Enqueue(plan);
        return Task.FromResult<IPoolEndpoint>(new Endpoint(this, plan.Queue));
    }

    public Task<IPoolLease?> TryLeaseAsync(string queue, int max, CancellationToken cancellationToken)
    {
        var held = _leases.AddOrUpdate(queue, 1, (_, n) => n + 1);
        if (held > max)
        {
            _leases.AddOrUpdate(queue, 0, (_, n) => n - 1);
            return Task.FromResult<IPoolLease?>(null);
        }

        return Task.FromResult<IPoolLease?>(new Lease(this, queue));
    }

    public void HoldLease(string queue) => _leases.AddOrUpdate(queue, 1, (_, n) => n + 1);

    public Task<IReadOnlyList<PoolQueueState>> ListPoolsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PoolQueueState>>(Listed.ToList());

    public Task<long?> ReadyAsync(string queue, CancellationToken cancellationToken) =>
        Task.FromResult<long?>(ExactReady.TryGetValue(queue, out var ready) ? ready : null);

    public Task<bool> DeleteIdleAsync(string queue, CancellationToken cancellationToken)
    {
        Deleted.Enqueue(queue);
        return Task.FromResult(true);
    }

    private sealed class Endpoint(FakePoolTransport transport, string queue) : IPoolEndpoint
    {
        public CancellationToken Lost { get; } = transport.ConnectionLost.Token;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            transport.Stopped.Enqueue(queue);
            return Task.CompletedTask;
        }
    }

    private sealed class Lease(FakePoolTransport transport, string queue) : IPoolLease
    {
        public CancellationToken Lost => transport.LeaseLost.Token;

        public ValueTask DisposeAsync()
        {
            transport._leases.AddOrUpdate(queue, 0, (_, n) => n - 1);
            return ValueTask.CompletedTask;
        }
    }
}
