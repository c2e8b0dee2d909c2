using MassTransit;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// The MassTransit consumer of one pool's queue, bound to that pool's container. It runs the input, records the
/// outcome of a spawned call, answers a remote call, and moves a failed or rejected input to the pool's
/// <c>_error</c> queue with the reason in its headers; the input is acknowledged only after all of that.
/// </summary>
internal sealed class InvocationConsumer(ContainerSlot slot, InvocationHandler handler, IResultStore results, Uri deadLetters) : IConsumer<RunInvocation>
{
    public async Task Consume(ConsumeContext<RunInvocation> context)
    {
        slot.BeginInput();
        try
        {
            await ConsumeCoreAsync(context).ConfigureAwait(false);
        }
        finally
        {
            slot.EndInput();
        }
    }

    private async Task ConsumeCoreAsync(ConsumeContext<RunInvocation> context)
    {
        var message = context.Message;
        var container = await slot.AcquireAsync().ConfigureAwait(false);
        var outcome = await handler.HandleAsync(container, message, context.CancellationToken).ConfigureAwait(false);
        if (message.StoreResult)
        {
            await results.RecordAsync(outcome, context.CancellationToken).ConfigureAwait(false);
        }

        if (outcome.Status is not (InvocationStatus.Succeeded or InvocationStatus.Cancelled))
        {
            var errors = await context.GetSendEndpoint(deadLetters).ConfigureAwait(false);
            await errors.Send(message, send =>
            {
                send.Headers.Set(DeadLetterHeaders.Status, outcome.Status.ToString());
                send.Headers.Set(DeadLetterHeaders.Reason, outcome.Error?.Message);
                send.Headers.Set(DeadLetterHeaders.ErrorType, outcome.Error?.Type);
                send.Headers.Set(DeadLetterHeaders.Attempts, outcome.Attempts);
            }, context.CancellationToken).ConfigureAwait(false);
        }

        if (context.ResponseAddress is not null)
        {
            await context.RespondAsync(outcome).ConfigureAwait(false);
        }
    }
}
