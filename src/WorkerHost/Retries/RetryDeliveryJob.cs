using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using MassTransit;
using Pipeline.Messages.Invocations;
using Pipeline.RabbitMq;

namespace Pipeline.WorkerHost.Retries;

/// <summary>
/// The job that sends a delayed retry: run by whichever worker host's job server finds it due. The pool may have been
/// scaled down and its queue deleted during the delay, so the queue is declared again and the hosts told about it first.
/// Arguments are plain strings: the job store holds no .NET type of ours beyond this one.
/// </summary>
internal sealed class RetryDeliveryJob(IBus bus, BrokerTopology topology)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The queue of a receive address (<c>rabbitmq://host/vhost/queue?args</c>: its last path segment).</summary>
    internal static string QueueOf(Uri address) => Uri.UnescapeDataString(address.AbsolutePath.TrimEnd('/').Split('/')[^1]);

    /// <summary>Sends <paramref name="invocation"/> (a <see cref="RunInvocation"/> as JSON) to <paramref name="queue"/>, with the caller's reply address.</summary>
    [AutomaticRetry(Attempts = 50, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public Task DeliverAsync(string queue, string invocation, string? requestId, string? responseAddress, string? conversationId, CancellationToken cancellationToken) =>
        DeliverAsync(queue, invocation, requestId, responseAddress, conversationId, null, cancellationToken);

    /// <summary>
    /// Like the other overload (kept for retries stored before traces were carried), sending inside the trace of the failed
    /// attempt (<paramref name="traceParent"/>, a W3C <c>traceparent</c>), so the next attempt joins the caller's trace.
    /// </summary>
    [AutomaticRetry(Attempts = 50, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task DeliverAsync(string queue, string invocation, string? requestId, string? responseAddress, string? conversationId, string? traceParent, CancellationToken cancellationToken)
    {
        using var span = ActivityContext.TryParse(traceParent, null, out var parent)
            ? Consumers.Telemetry.Source.StartActivity("pipeline.retry " + queue, ActivityKind.Internal, parent)
            : null;
        var message = JsonSerializer.Deserialize<RunInvocation>(invocation, Json)
            ?? throw new InvalidOperationException($"A retry for {queue} holds no invocation.");
        var demand = new PoolDemanded
        {
            Queue = queue,
            App = message.App,
            Class = message.Class,
            Function = message.Class is null ? message.Function : null,
            Parameters = message.Parameters,
        };

        for (var tries = 1; ; tries++)
        {
            await topology.DeclarePoolAsync(demand, cancellationToken).ConfigureAwait(false);
            try
            {
                var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{queue}")).ConfigureAwait(false);
                await endpoint.Send(message, send =>
                {
                    send.RequestId = Guid.TryParse(requestId, out var id) ? id : null;
                    send.ResponseAddress = responseAddress is null ? null : new Uri(responseAddress);
                    send.ConversationId = Guid.TryParse(conversationId, out var conversation) ? conversation : null;
                    if (send.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                    {
                        rabbit.Mandatory = true;
                    }
                }, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (MessageReturnedException) when (tries < 3)
            {
                // A host deleted the idle queue between the declare and the send: declare again.
                topology.Forget(queue);
            }
        }

        await bus.Publish(demand, cancellationToken).ConfigureAwait(false);
    }
}
