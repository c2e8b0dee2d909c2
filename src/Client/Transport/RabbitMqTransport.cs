using MassTransit;
using Pipeline.Messages.Invocations;
using Pipeline.RabbitMq;

namespace Pipeline.Client.Transport;

/// <summary>
/// The transport over RabbitMQ. Before a pool's first input it declares the pool's durable queue (with the
/// arguments operators read in the UI), so nothing sent is lost even when no host serves the pool yet; inputs go
/// to the pool's exchange, which MassTransit binds to the queue of the same name.
/// </summary>
internal sealed class RabbitMqTransport(IBus bus, BrokerTopology topology) : IInvocationTransport
{
    public async Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken)
    {
        var client = bus.CreateRequestClient<RunInvocation>(Address(queue), RequestTimeout.None);
        var response = await client.GetResponse<InvocationCompleted>(invocation, cancellationToken).ConfigureAwait(false);
        return response.Message;
    }

    public async Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken)
    {
        var endpoint = await bus.GetSendEndpoint(Address(queue)).ConfigureAwait(false);
        await endpoint.Send(invocation, cancellationToken).ConfigureAwait(false);
    }

    public async Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken)
    {
        await topology.DeclarePoolAsync(demand, cancellationToken).ConfigureAwait(false);
        await bus.Publish(demand, cancellationToken).ConfigureAwait(false);
    }

    private static Uri Address(string queue) => new($"exchange:{queue}");
}
