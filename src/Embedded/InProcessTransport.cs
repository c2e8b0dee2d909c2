using Pipeline.Client.Transport;
using Pipeline.Consumers.Invocations;
using Pipeline.Messages.Invocations;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.Embedded;

/// <summary>
/// The embedded transport: inputs travel over the in-memory bus like on RabbitMQ, but a pool notice forms the pool
/// directly and returns once it consumes, because the in-memory transport does not keep messages for a queue nobody consumes yet.
/// </summary>
internal sealed class InProcessTransport(IInvocationTransport bus, PoolManager pools, CallCancellations cancellations) : IInvocationTransport
{
    public Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) =>
        bus.RequestAsync(queue, invocation, cancellationToken);

    public Task<InvocationChunkCompleted> RequestChunkAsync(string queue, RunInvocationChunk chunk, CancellationToken cancellationToken) =>
        bus.RequestChunkAsync(queue, chunk, cancellationToken);

    public Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) =>
        bus.SendAsync(queue, invocation, cancellationToken);

    public Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken) =>
        pools.EnsureAsync(demand, cancellationToken);

    public Task CancelAsync(CancelInvocation cancel, CancellationToken cancellationToken)
    {
        cancellations.Cancel(cancel.CallId, cancel.TerminateContainers);
        return Task.CompletedTask;
    }
}
