using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Messages.Invocations;
using Pipeline.RabbitMq;

namespace Pipeline.Client.Transport;

/// <summary>
/// The transport over RabbitMQ. Before a pool's first input it declares the pool's durable queue (with the
/// arguments operators read in the UI), so nothing sent is lost even when no host serves the pool yet; inputs go
/// to the pool's exchange, which is bound to the queue of the same name. Inputs are mandatory: if a host deleted
/// the idle pool meanwhile, the broker returns the input, and it is declared again and resent instead of dropped.
/// </summary>
internal sealed class RabbitMqTransport(IBus bus, BrokerTopology topology) : IInvocationTransport
{
    // One request client per pool, not per call: making one is not free on the hot path.
    private readonly ConcurrentDictionary<string, IRequestClient<RunInvocation>> _requestClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IRequestClient<RunInvocationChunk>> _chunkClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PoolDemanded> _pools = new(StringComparer.Ordinal);

    public Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) =>
        ResendingAsync(queue, async () =>
        {
            var client = _requestClients.GetOrAdd(queue, q => bus.CreateRequestClient<RunInvocation>(Address(q), RequestTimeout.After(d: 7)));
            var response = await client.GetResponse<InvocationCompleted>(invocation, request => request.UseExecute(Mandatory), cancellationToken).ConfigureAwait(false);
            return response.Message;
        }, cancellationToken);

    public Task<InvocationChunkCompleted> RequestChunkAsync(string queue, RunInvocationChunk chunk, CancellationToken cancellationToken) =>
        ResendingAsync(queue, async () =>
        {
            var client = _chunkClients.GetOrAdd(queue, q => bus.CreateRequestClient<RunInvocationChunk>(Address(q), RequestTimeout.After(d: 7)));
            var response = await client.GetResponse<InvocationChunkCompleted>(chunk, request => request.UseExecute(Mandatory), cancellationToken).ConfigureAwait(false);
            return response.Message;
        }, cancellationToken);

    public Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) =>
        ResendingAsync(queue, async () =>
        {
            var endpoint = await bus.GetSendEndpoint(Address(queue)).ConfigureAwait(false);
            await endpoint.Send(invocation, Pipe.Execute<SendContext<RunInvocation>>(Mandatory), cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken)
    {
        _pools[demand.Queue] = demand;
        await topology.DeclarePoolAsync(demand, cancellationToken).ConfigureAwait(false);
        await bus.Publish(demand, cancellationToken).ConfigureAwait(false);
    }

    public Task CancelAsync(CancelInvocation cancel, CancellationToken cancellationToken) => bus.Publish(cancel, cancellationToken);

    private async Task<T> ResendingAsync<T>(string queue, Func<Task<T>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (MessageReturnedException) when (_pools.TryGetValue(queue, out var demand))
        {
            topology.Forget(queue);
            await AnnounceAsync(demand, cancellationToken).ConfigureAwait(false);
            return await send().ConfigureAwait(false);
        }
    }

    private static void Mandatory(SendContext context)
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.Mandatory = true;
        }
    }

    private static Uri Address(string queue) => new($"exchange:{queue}");
}
