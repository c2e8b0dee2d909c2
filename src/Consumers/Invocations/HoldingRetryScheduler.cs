using MassTransit;
using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// Retries without a database: the failed input is held, unacknowledged, for the delay, then the next attempt is sent
/// to the same queue and the failed one acknowledged. Nothing is lost if the process dies meanwhile (the broker delivers
/// the held input again), but its attempt count starts over from that attempt. The embedded mode's choice, and a
/// worker host's when no PostgreSQL is configured.
/// </summary>
internal sealed class HoldingRetryScheduler(TimeProvider time) : IRetryScheduler
{
    public bool IsDurable => false;

    public async Task ScheduleAsync(ConsumeContext context, RunInvocation next, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, context.CancellationToken).ConfigureAwait(false);
        }

        await SendAgainAsync(context, next).ConfigureAwait(false);
    }

    /// <summary>Sends the next attempt to the queue the input came from, as if the original caller had sent it.</summary>
    public static async Task SendAgainAsync(ConsumeContext context, RunInvocation next)
    {
        var endpoint = await context.GetSendEndpoint(context.ReceiveContext.InputAddress).ConfigureAwait(false);
        await endpoint.Send(next, send => CopyReply(context, send), context.CancellationToken).ConfigureAwait(false);
    }

    private static void CopyReply(ConsumeContext context, SendContext send)
    {
        send.RequestId = context.RequestId;
        send.ResponseAddress = context.ResponseAddress;
        send.ConversationId = context.ConversationId;
        send.CorrelationId = context.CorrelationId;
    }
}
