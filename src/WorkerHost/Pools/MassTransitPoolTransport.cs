using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Replies;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// Pools over any MassTransit transport: one receive endpoint per pool queue. This base serves the in-memory
/// transport of the embedded mode, where one process is the only host, so leases are counted in process and there is
/// no broker to list.
/// </summary>
internal class MassTransitPoolTransport(IReceiveEndpointConnector connector, ReplySender replies, TimeProvider time, ILoggerFactory loggers) : IPoolTransport
{
    private readonly Dictionary<string, HashSet<int>> _localLeases = new(StringComparer.Ordinal);

    /// <summary>Answers callers of inputs the bus could not consume.</summary>
    protected ReplySender Replies { get; } = replies;

    /// <summary>The clock for outcomes made here.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>Loggers for the endpoint filters.</summary>
    protected ILoggerFactory Loggers { get; } = loggers;

    public virtual async Task<IPoolEndpoint> ConnectAsync(PoolPlan plan, Func<Uri, InvocationConsumer> consumer, CancellationToken cancellationToken)
    {
        var deadLetters = DeadLetterAddress(plan.Queue);
        var watched = new Endpoint();
        var handle = connector.ConnectReceiveEndpoint(plan.Queue, (_, endpoint) =>
        {
            endpoint.ConnectReceiveEndpointObserver(watched);
            endpoint.ConfigureConsumeTopology = false;
            // More inputs than run at once: the containers' turns (ContainerDispatch) keep user code to InputLimit.
            endpoint.ConcurrentMessageLimit = plan.AdmitLimit;
            endpoint.PrefetchCount = plan.Prefetch;
            watched.AfterStop = Configure(endpoint, plan);

            // What the bus cannot consume goes to _error with Pipeline's reason headers, and its caller is told,
            // never through the pool's channel (MassTransit's own fault reply would send on it).
            endpoint.ConfigureError(error =>
            {
                error.UseFilter(new InputFaultFilter(plan.Queue, Replies, Time, Loggers.CreateLogger<InputFaultFilter>()));
                error.UseFilter(new ErrorTransportFilter());
            });
            endpoint.Consumer(() => consumer(deadLetters));
        });
        try
        {
            await handle.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            watched.Handle = handle;
            await watched.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        watched.Handle = handle;
        return watched;
    }

    public virtual Task<IPoolLease?> TryLeaseAsync(string queue, int max, IReadOnlyList<int> gpus, CancellationToken cancellationToken)
    {
        lock (_localLeases)
        {
            if (!_localLeases.TryGetValue(queue, out var held))
            {
                held = [];
                _localLeases[queue] = held;
            }

            for (var slot = 0; slot < max; slot++)
            {
                if (held.Add(slot))
                {
                    return Task.FromResult<IPoolLease?>(new LocalLease(slot, () =>
                    {
                        lock (_localLeases)
                        {
                            held.Remove(slot);
                        }
                    }));
                }
            }

            return Task.FromResult<IPoolLease?>(null);
        }
    }

    public virtual Task<IReadOnlyList<PoolQueueState>> ListPoolsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PoolQueueState>>([]);

    public virtual Task<long?> ReadyAsync(string queue, CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    public virtual Task<bool> DeleteIdleAsync(string queue, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>Where a pool's failed and rejected inputs go; the in-memory transport makes the queue on first send.</summary>
    protected virtual Uri DeadLetterAddress(string queue) => new($"queue:{queue}_error");

    /// <summary>
    /// Transport-specific endpoint settings (queue arguments, queue type); returns what to do once the endpoint's stop
    /// has ended, asked or cut (null: nothing).
    /// </summary>
    protected virtual Func<Task>? Configure(IReceiveEndpointConfigurator endpoint, PoolPlan plan) => null;

    // Watches its own receive endpoint (not the bus's, so a stopped pool's late events never touch a new pool of the
    // same queue). When the broker closes the connection or the channel, MassTransit cancels the in-flight inputs,
    // completes the transport (or faults it) and reconnects by itself, consuming again into the same container: the
    // pool treats any end it did not ask for as lost, so the container runs exit and a fresh one enters.
    private sealed class Endpoint : IPoolEndpoint, IReceiveEndpointObserver, IDisposable
    {
        private readonly CancellationTokenSource _lost = new();
        private volatile bool _stopping;
        private volatile bool _consumed;

        public Endpoint()
        {
            // Read once: the source is disposed after the pool stopped, while holders may still read the token.
            Lost = _lost.Token;
        }

        public HostReceiveEndpointHandle? Handle { get; set; }

        public Func<Task>? AfterStop { get; set; }

        public CancellationToken Lost { get; }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            _stopping = true;
            try
            {
                if (Handle is not null)
                {
                    await Handle.StopAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (AfterStop is not null)
                {
                    await AfterStop().ConfigureAwait(false);
                }

                Dispose();
            }
        }

        public void Dispose() => _lost.Dispose();

        public Task Ready(ReceiveEndpointReady ready)
        {
            _consumed = true;
            return Task.CompletedTask;
        }

        public Task Stopping(ReceiveEndpointStopping stopping)
        {
            _stopping = true;
            return Task.CompletedTask;
        }

        public Task Completed(ReceiveEndpointCompleted completed) => Lose();

        public Task Faulted(ReceiveEndpointFaulted faulted) => Lose();

        private Task Lose()
        {
            // A fault before the first ready is a failed start, which ConnectAsync reports itself.
            if (_consumed && !_stopping)
            {
                try
                {
                    // The pool's handler only queues the stop (it waits for this very transport).
                    _lost.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Stopped meanwhile.
                }
            }

            return Task.CompletedTask;
        }
    }

    // One process is the only host: its slots are counted here.
    private sealed class LocalLease(int slot, Action release) : IPoolLease
    {
        private int _released;

        public int Slot { get; } = slot;

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
