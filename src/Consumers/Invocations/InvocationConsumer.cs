using MassTransit;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// The MassTransit consumer of one pool's queue, bound to that pool's container. It runs the input, schedules the next
/// attempt when the retry policy wants one, records the outcome of a spawned call, answers a remote call, and moves a
/// failed or rejected input to the pool's <c>_error</c> queue with the reason in its headers; the input is acknowledged
/// only after all of that.
/// </summary>
internal sealed class InvocationConsumer(ContainerSlot slot, InvocationHandler handler, IResultStore results, IRetryScheduler retries, Uri deadLetters)
    : IConsumer<RunInvocation>
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
        if (await AlreadyHandledAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var container = await slot.AcquireAsync().ConfigureAwait(false);
        using var attempt = Telemetry.StartAttempt(message);
        var handled = await handler.HandleAsync(container, message, context.CancellationToken).ConfigureAwait(false);
        Telemetry.EndAttempt(attempt, message, handled.Outcome, retried: handled.RetryAfter is not null);
        if (handled.RetryAfter is { } delay)
        {
            await retries.ScheduleAsync(context, message with { Attempt = handled.Outcome.Attempts + 1 }, delay).ConfigureAwait(false);
            return;
        }

        await FinishAsync(context, handled.Outcome).ConfigureAwait(false);
    }

    // True when this input must not run: a spawned call already finished or cancelled (a redelivery after a crash, or a
    // cancel recorded in the store), or another call holds its idempotency key.
    private async Task<bool> AlreadyHandledAsync(ConsumeContext<RunInvocation> context)
    {
        var message = context.Message;
        if (message.StoreResult && message.CallId is not null)
        {
            var lookup = await results.GetAsync(message.CallId, TimeSpan.Zero, context.CancellationToken).ConfigureAwait(false);
            if (lookup is { State: CallState.Completed, Result: { } done })
            {
                await RespondAsync(context, done).ConfigureAwait(false);
                return true;
            }

            // A publisher without the client registers nothing: make the call pending before its key is claimed, so a
            // duplicate that follows the claim to this call finds it.
            if (lookup.State == CallState.Unknown)
            {
                await results.RegisterAsync(message.CallId, context.CancellationToken).ConfigureAwait(false);
            }
        }

        if (message.IdempotencyKey is not { } key || message.CallId is null)
        {
            return false;
        }

        string owner;
        try
        {
            owner = await results.ClaimAsync(key, message.CallId, context.CancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            // Too long, empty, or holding a NUL: the store says which.
            await FinishAsync(context, Rejected(message, e.Message)).ConfigureAwait(false);
            return true;
        }

        if (owner == message.CallId)
        {
            return false;
        }

        if (message.StoreResult)
        {
            await results.RecordDuplicateAsync(message.CallId, owner, context.CancellationToken).ConfigureAwait(false);
        }

        if (context.ResponseAddress is not null)
        {
            var first = await results.GetAsync(owner, TimeSpan.Zero, context.CancellationToken).ConfigureAwait(false);
            await RespondAsync(context, first.Result ?? Rejected(message, $"Idempotency key '{key}' belongs to call {owner}, which has not finished; get its result by that id.")).ConfigureAwait(false);
        }

        return true;
    }

    private async Task FinishAsync(ConsumeContext<RunInvocation> context, InvocationCompleted outcome)
    {
        var message = context.Message;
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

        await RespondAsync(context, outcome).ConfigureAwait(false);
    }

    private static async Task RespondAsync(ConsumeContext context, InvocationCompleted outcome)
    {
        if (context.ResponseAddress is not null)
        {
            await context.RespondAsync(outcome).ConfigureAwait(false);
        }
    }

    private InvocationCompleted Rejected(RunInvocation message, string reason) => handler.Rejected(message, reason);
}
