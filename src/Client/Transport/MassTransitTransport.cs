using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Messages.Invocations;

namespace Pipeline.Client.Transport;

/// <summary>The transport over a MassTransit bus (in-memory for the embedded mode, RabbitMQ otherwise).</summary>
internal sealed class MassTransitTransport(IBus bus) : IInvocationTransport
{
    // One request client per pool, not per call: making one is not free on the hot path.
    private readonly ConcurrentDictionary<string, IRequestClient<RunInvocation>> _requestClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IRequestClient<RunInvocationChunk>> _chunkClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<ISendEndpoint>> _endpoints = new(StringComparer.Ordinal);

    public async Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken)
    {
        // Modal's remote() has no client-side deadline: the function's own timeout and retries bound it.
        var client = _requestClients.GetOrAdd(queue, static (q, b) => b.CreateRequestClient<RunInvocation>(Address(q), RequestTimeout.After(d: 7)), bus);
        var response = await client.GetResponse<InvocationCompleted>(invocation, cancellationToken).ConfigureAwait(false);
        return response.Message;
    }

    public async Task<InvocationChunkCompleted> RequestChunkAsync(string queue, RunInvocationChunk chunk, CancellationToken cancellationToken)
    {
        var client = _chunkClients.GetOrAdd(queue, static (q, b) => b.CreateRequestClient<RunInvocationChunk>(Address(q), RequestTimeout.After(d: 7)), bus);
        var response = await client.GetResponse<InvocationChunkCompleted>(chunk, cancellationToken).ConfigureAwait(false);
        return response.Message;
    }

    public async Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken)
    {
        var endpoint = await _endpoints.GetOrAdd(queue, static (q, b) => b.GetSendEndpoint(Address(q)), bus).ConfigureAwait(false);
        await endpoint.Send(invocation, cancellationToken).ConfigureAwait(false);
    }

    public Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken) => bus.Publish(demand, cancellationToken);

    public Task CancelAsync(CancelInvocation cancel, CancellationToken cancellationToken) => bus.Publish(cancel, cancellationToken);

    private static Uri Address(string queue) => new($"queue:{queue}");
}
