using System.Collections.Concurrent;
using Pipeline.Consumers.Invocations;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Tests.Pools;

/// <summary>A broker in memory: records endpoints and leases, and lists what a test says the broker holds.</summary>
internal sealed class FakePoolTransport : IPoolTransport
{
    private readonly Dictionary<string, HashSet<int>> _leases = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Connected { get; } = new();

    public ConcurrentQueue<PoolPlan> Plans { get; } = new();

    public ConcurrentQueue<string> Stopped { get; } = new();

    public ConcurrentQueue<string> Deleted { get; } = new();

    public List<PoolQueueState> Listed { get; } = [];

    public Dictionary<string, long> ExactReady { get; } = [];

    public Action<string>? OnConnect { get; set; }

    public CancellationTokenSource LeaseLost { get; } = new();

    /// <summary>When set, an endpoint's stop waits for it (honouring the stop's token) and records the queue in <see cref="Stopping"/> first.</summary>
    public TaskCompletionSource? StopGate { get; set; }

    public ConcurrentQueue<string> Stopping { get; } = new();

    /// <summary>Queues whose endpoint stop was cancelled by its caller before the gate opened.</summary>
    public ConcurrentQueue<string> StopsCancelled { get; } = new();

    /// <summary>Cancel to act as the broker closing the connection under every endpoint connected so far; replace it for later ones.</summary>
    public CancellationTokenSource ConnectionLost { get; set; } = new();

    public Task<IPoolEndpoint> ConnectAsync(PoolPlan plan, Func<Uri, InvocationConsumer> consumer, CancellationToken cancellationToken)
    {
        OnConnect?.Invoke(plan.Queue);
        Connected.Enqueue(plan.Queue);
        Plans.Enqueue(plan);
        return Task.FromResult<IPoolEndpoint>(new Endpoint(this, plan.Queue));
    }

    public Task<IPoolLease?> TryLeaseAsync(string queue, int max, IReadOnlyList<int> gpus, CancellationToken cancellationToken)
    {
        lock (_leases)
        {
            var held = Held(queue);
            for (var slot = 0; slot < max; slot++)
            {
                if (held.Add(slot))
                {
                    return Task.FromResult<IPoolLease?>(new Lease(this, queue, slot));
                }
            }

            return Task.FromResult<IPoolLease?>(null);
        }
    }

    /// <summary>Another host takes the lowest free lease of the pool.</summary>
    public void HoldLease(string queue)
    {
        lock (_leases)
        {
            var held = Held(queue);
            var slot = 0;
            while (!held.Add(slot))
            {
                slot++;
            }
        }
    }

    /// <summary>Leases of the pool held now, by any host.</summary>
    public int LeasesHeld(string queue)
    {
        lock (_leases)
        {
            return Held(queue).Count;
        }
    }

    private HashSet<int> Held(string queue)
    {
        if (!_leases.TryGetValue(queue, out var held))
        {
            held = [];
            _leases[queue] = held;
        }

        return held;
    }

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

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (transport.StopGate is { } gate)
            {
                transport.Stopping.Enqueue(queue);
                try
                {
                    await gate.Task.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    transport.StopsCancelled.Enqueue(queue);
                    throw;
                }
            }

            transport.Stopped.Enqueue(queue);
        }
    }

    private sealed class Lease(FakePoolTransport transport, string queue, int slot) : IPoolLease
    {
        public int Slot { get; } = slot;

        public CancellationToken Lost => transport.LeaseLost.Token;

        public ValueTask DisposeAsync()
        {
            lock (transport._leases)
            {
                transport.Held(queue).Remove(Slot);
            }

            return ValueTask.CompletedTask;
        }
    }
}
