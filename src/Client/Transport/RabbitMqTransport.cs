using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Messages.Invocations;
using Pipeline.RabbitMq;

namespace Pipeline.Client.Transport;

/// <summary>
/// The transport over RabbitMQ. Before a pool's first input it declares the pool's durable queue (with the
/// arguments operators read in the UI), so nothing sent is lost even when no host serves the pool yet; inputs go
/// to the pool's exchange, which is bound to the queue of the same name. Inputs are mandatory: if a host deleted
/// the idle pool meanwhile, the broker returns the input, and it is declared again and resent instead of dropped.
/// Every send waits for the broker at most the send timeout (<see cref="SendDeadline"/>), then throws
/// <see cref="BrokerUnavailableException"/>; a remote call's wait for its reply is not part of that.
/// Each time a pool is announced (at most every 5 s while inputs flow) the queue is looked at in the background 5 s
/// later, and a pool whose input waits with nobody consuming it is logged as a warning, so a caller waiting on an app no
/// host serves learns it (a cold pool that a host starts within those 5 s is not warned about).
/// </summary>
internal sealed class RabbitMqTransport(IBus bus, BrokerTopology topology, ReplyRouter replies, SendDeadline deadline, ILogger logger) : IInvocationTransport
{
    private readonly ConcurrentDictionary<string, PoolDemanded> _pools = new(StringComparer.Ordinal);
    private readonly IBus _bus = bus;
    private readonly BrokerTopology _topology = topology;
    private readonly ReplyRouter _replies = replies;
    private readonly SendDeadline _deadline = deadline;

    // Resolving a send endpoint parses its address each time: keep one per pool.
    private readonly ConcurrentDictionary<string, Task<ISendEndpoint>> _endpoints = new(StringComparer.Ordinal);
    private static readonly IPipe<SendContext<RunInvocation>> MandatoryInput = Pipe.Execute<SendContext<RunInvocation>>(Mandatory);

    // How long a host has to start consuming a pool it was just told about before the caller is warned.
    private static readonly TimeSpan UnservedGrace = TimeSpan.FromSeconds(5);

    public Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) =>
        RequestAsync<RunInvocation, InvocationCompleted>(queue, invocation, cancellationToken);

    public Task<InvocationChunkCompleted> RequestChunkAsync(string queue, RunInvocationChunk chunk, CancellationToken cancellationToken) =>
        RequestAsync<RunInvocationChunk, InvocationChunkCompleted>(queue, chunk, cancellationToken);

    public Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) =>
        _deadline.RunAsync((self: this, queue, invocation), static (s, token) => s.self.ResendingAsync(s.queue, s.invocation, static async (endpoint, input, _, ct) =>
        {
            await endpoint.Send(input, MandatoryInput, ct).ConfigureAwait(false);
            return true;
        }, token), cancellationToken);

    public Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken)
    {
        _pools[demand.Queue] = demand;
        return _deadline.RunAsync((self: this, demand), static async (s, token) =>
        {
            await s.self._topology.DeclarePoolAsync(s.demand, token).ConfigureAwait(false);
            await s.self._bus.Publish(s.demand, token).ConfigureAwait(false);
            _ = s.self.WarnIfUnservedAsync(s.demand);
        }, cancellationToken);
    }

    // Off the send path: a count that fails (broker gone, queue deleted meanwhile) says nothing rather than something wrong.
    // A cold pool has no consumer until a host has heard the notice just published and started a container, which is
    // the normal path: so the count waits UnservedGrace, and warns only when input still waits with nobody consuming.
    private async Task WarnIfUnservedAsync(PoolDemanded demand)
    {
        if (!logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        try
        {
            await Task.Delay(UnservedGrace).ConfigureAwait(false);
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var counts = await _topology.PeekAsync(demand.Queue, bounded.Token).ConfigureAwait(false);
            if (counts is { Consumers: 0, Ready: > 0 })
            {
                Log.PoolUnserved(logger, demand.Queue, demand.App);
            }
        }
#pragma warning disable CA1031 // A warning is best effort; the send it accompanies has already succeeded.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public Task CancelAsync(CancelInvocation cancel, CancellationToken cancellationToken) =>
        _deadline.RunAsync((_bus, cancel), static (s, token) => s._bus.Publish(s.cancel, token), cancellationToken);

    private Task<TReply> RequestAsync<TRequest, TReply>(string queue, TRequest request, CancellationToken cancellationToken)
        where TRequest : class
        where TReply : class =>
        ResendingAsync(queue, request, static (endpoint, message, self, token) =>
            self._replies.RequestAsync<TRequest, TReply>(endpoint, message, Mandatory, self._deadline, token), cancellationToken);

    // Sends once; if the broker returns the input (a host deleted the idle pool meanwhile), declares the pool again,
    // tells the hosts, and sends again. The delegates are static, so a send allocates no closure.
    private async Task<T> ResendingAsync<TMessage, T>(
        string queue,
        TMessage message,
        Func<ISendEndpoint, TMessage, RabbitMqTransport, CancellationToken, Task<T>> send,
        CancellationToken cancellationToken)
    {
        var endpoint = await _endpoints.GetOrAdd(queue, static (q, b) => b.GetSendEndpoint(Address(q)), _bus).ConfigureAwait(false);
        try
        {
            return await send(endpoint, message, this, cancellationToken).ConfigureAwait(false);
        }
        catch (MessageReturnedException) when (_pools.TryGetValue(queue, out var demand))
        {
            await AnnounceAgainAsync(demand, cancellationToken).ConfigureAwait(false);
            return await send(endpoint, message, this, cancellationToken).ConfigureAwait(false);
        }
    }

    // The broker returned an input: a host deleted the idle pool meanwhile. Declare it again, tell the hosts, then resend.
    private Task AnnounceAgainAsync(PoolDemanded demand, CancellationToken cancellationToken)
    {
        _topology.Forget(demand.Queue);
        return AnnounceAsync(demand, cancellationToken);
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
