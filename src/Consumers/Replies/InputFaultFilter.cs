using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Execution;
using Pipeline.Consumers.Invocations;
using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Replies;

/// <summary>
/// The first filter of a pool endpoint's error pipe, where the bus sends what it could not consume (a body its reader
/// refused, or an exception that escaped). In place of MassTransit's fault message it gives the dead letter Pipeline's
/// headers (<c>pipeline-status</c>, <c>pipeline-reason</c>, <c>pipeline-error-type</c>, <c>pipeline-attempts</c>), so
/// every dead letter says why in the same words, and answers the caller, where the envelope names one, with a
/// <c>Rejected</c> (unreadable) or <c>Failed</c> outcome through <see cref="ReplySender"/>: never on the pool's channel.
/// MassTransit's error transport filter, next, moves the message to <c>_error</c> with these headers.
/// </summary>
internal sealed class InputFaultFilter(string queue, ReplySender replies, TimeProvider time, ILogger logger) : IFilter<ExceptionReceiveContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("pipelineInputFault");

    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var unreadable = UnreadableInput.Read(context.Body.GetBytes(), context.Exception);
        context.TryGetPayload(out ConsumeContext? consumed);

        // A body the reader refused is the publisher's mistake; anything else is the host's failure.
        var readable = Readable(consumed);
        var status = readable ? InvocationStatus.Failed : InvocationStatus.Rejected;
        var reason = readable ? $"The host failed on the input: {context.Exception.Message}" : unreadable.Reason;
        var errorType = readable ? context.Exception.GetType().FullName! : typeof(InvalidInputException).FullName!;
        Log.InputRefused(logger, queue, reason);

        // A fault the consume context already sent (an exception thrown by a consumer) was the caller's answer.
        var address = unreadable.ResponseAddress ?? consumed?.ResponseAddress;
        if (address is not null && !context.IsFaulted)
        {
            var now = time.GetUtcNow();
            InvocationCompleted Outcome(string callId) => new()
            {
                CallId = callId,
                Status = status,
                Error = new RemoteError(errorType, reason, null),
                StartedAt = now,
                FinishedAt = now,
            };
            var requestId = unreadable.RequestId ?? consumed?.RequestId;
            var undeliverable = unreadable.IsChunk
                ? await replies.SendAsync(address, requestId, null, new InvocationChunkCompleted { Outcomes = unreadable.CallIds.Select(id => new ChunkOutcome { Outcome = Outcome(id) }).ToList() }, context.CancellationToken).ConfigureAwait(false)
                : await replies.SendAsync(address, requestId, null, Outcome(unreadable.CallIds.Count > 0 ? unreadable.CallIds[0] : ""), context.CancellationToken).ConfigureAwait(false);
            if (undeliverable is not null)
            {
                reason = $"{reason} Also {undeliverable}";
            }
        }

        context.ExceptionHeaders.Set(DeadLetterHeaders.Status, status.ToString());
        context.ExceptionHeaders.Set(DeadLetterHeaders.Reason, reason);
        context.ExceptionHeaders.Set(DeadLetterHeaders.ErrorType, errorType);
        context.ExceptionHeaders.Set(DeadLetterHeaders.Attempts, 0);
        if (!context.IsFaulted)
        {
            await context.NotifyFaulted(context.Exception).ConfigureAwait(false);
        }

        await next.Send(context).ConfigureAwait(false);
    }

    // Whether the bus could read the input: then what failed was the host, not the publisher.
    private static bool Readable(ConsumeContext? consumed)
    {
        if (consumed is null)
        {
            return false;
        }

        try
        {
            return consumed.TryGetMessage<RunInvocation>(out _) || consumed.TryGetMessage<RunInvocationChunk>(out _);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }
}
