using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Replies;
using Pipeline.Messages.Invocations;
using Pipeline.RabbitMq;
using RabbitMQ.Client;

namespace Pipeline.WorkerHost.RabbitMq;

/// <summary>
/// The dead-letter pipe of a pool endpoint on RabbitMQ: a readable envelope of a type no pool consumes (anything but
/// <c>RunInvocation</c> and <c>RunInvocationChunk</c>) is moved to <c>&lt;queue&gt;_error</c> as MassTransit would
/// (same body and properties, <c>MT-Reason: dead-letter</c>), plus Pipeline's reason headers, so every dead letter
/// says why in the same words. When the envelope carries a <c>callId</c> and a reply address (a misspelt message type),
/// its caller gets a <c>Rejected</c> outcome.
/// </summary>
internal sealed class ReasonedDeadLetterFilter(string queue, ReplySender replies, TimeProvider time, ILogger logger) : IFilter<ReceiveContext>
{
    private readonly string _exchange = PoolQueueArguments.ErrorQueue(queue);

    public void Probe(ProbeContext context) => context.CreateFilterScope("pipelineDeadLetter");

    public async Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        if (!context.TryGetPayload(out ChannelContext? channel))
        {
            throw new InvalidOperationException("A RabbitMQ receive context carries its channel; this one has none.");
        }

        var body = context.GetBody();
        var input = UnreadableInput.Read(body, null);
        var reason = $"The message is not an input: a pool queue takes only {nameof(RunInvocation)} and {nameof(RunInvocationChunk)} envelopes, and no consumer here took its message type. Send it where it belongs, or fix its \"messageType\" (docs/wire-format.md, section 3).";
        Log.DeadLettered(logger, queue, reason);
        if (input is { ResponseAddress: { } address, IsChunk: false, CallIds: [{ Length: > 0 } callId] })
        {
            var now = time.GetUtcNow();
            var outcome = new InvocationCompleted
            {
                CallId = callId,
                Status = InvocationStatus.Rejected,
                Error = new RemoteError(typeof(ArgumentException).FullName!, reason, null),
                StartedAt = now,
                FinishedAt = now,
            };
            if (await replies.SendAsync(address, input.RequestId, null, outcome, context.CancellationToken).ConfigureAwait(false) is { } undeliverable)
            {
                reason = $"{reason} Also {undeliverable}";
            }
        }

        BasicProperties properties;
        if (context.TryGetPayload(out RabbitMqBasicConsumeContext? consumed))
        {
            properties = new BasicProperties(consumed.Properties);
        }
        else
        {
            properties = new BasicProperties();
        }

        var headers = properties.Headers is null
            ? new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, object?>(properties.Headers, StringComparer.OrdinalIgnoreCase);
        headers["MT-Reason"] = "dead-letter";
        headers[DeadLetterHeaders.Status] = nameof(InvocationStatus.Rejected);
        headers[DeadLetterHeaders.Reason] = reason;
        headers[DeadLetterHeaders.ErrorType] = typeof(ArgumentException).FullName;
        headers[DeadLetterHeaders.Attempts] = 0;
        properties.Headers = headers;
        await channel.BasicPublishAsync(_exchange, "", true, properties, body, true, context.CancellationToken).ConfigureAwait(false);
        await next.Send(context).ConfigureAwait(false);
    }
}
