using MassTransit;
using Pipeline.Consumers.Execution;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// The MassTransit consumer of one pool's queue, bound to that pool's container. It runs the input, schedules the next
/// attempt when the retry policy wants one, records the outcome of a spawned call, answers a remote call, and moves a
/// failed or rejected input to the pool's <c>_error</c> queue with the reason in its headers; the input is acknowledged
/// only after all of that. A chunk (what <c>map</c> sends) runs each of its inputs the same way, as many at once as
/// the pool's concurrency allows, and answers with one outcome per input; its caller sends failed inputs again.
/// </summary>
internal sealed class InvocationConsumer(ContainerSlot slot, InvocationHandler handler, IResultStore results, IRetryScheduler retries, Uri deadLetters)
    : IConsumer<RunInvocation>, IConsumer<RunInvocationChunk>
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

    public async Task Consume(ConsumeContext<RunInvocationChunk> context)
    {
        slot.BeginInput();
        try
        {
            await ConsumeChunkAsync(context).ConfigureAwait(false);
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

        var handled = await RunAsync(message, context.CancellationToken).ConfigureAwait(false);
        if (handled.RetryAfter is { } delay)
        {
            await retries.ScheduleAsync(context, message with { Attempt = handled.Outcome.Attempts + 1 }, delay).ConfigureAwait(false);
            return;
        }

        await FinishAsync(context, handled.Outcome).ConfigureAwait(false);
    }

    private async Task ConsumeChunkAsync(ConsumeContext<RunInvocationChunk> context)
    {
        var chunk = context.Message;
        var count = chunk.Inputs?.Count ?? 0;
        if (count is 0 or > RunInvocationChunk.MaxInputs || chunk.App is null || chunk.Function is null)
        {
            await RefuseChunkAsync(context, count).ConfigureAwait(false);
            return;
        }

        var outcomes = new ChunkOutcome[count];
        var runs = new Task[count];
        for (var i = 0; i < count; i++)
        {
            runs[i] = RunChunkInputAsync(context, i, outcomes);
        }

        await Task.WhenAll(runs).ConfigureAwait(false);
        if (context.ResponseAddress is not null)
        {
            await context.RespondAsync(new InvocationChunkCompleted { Outcomes = outcomes }).ConfigureAwait(false);
        }
    }

    private async Task RunChunkInputAsync(ConsumeContext<RunInvocationChunk> context, int index, ChunkOutcome[] outcomes)
    {
        var chunk = context.Message;
        var message = InputAt(chunk, index);
        if (message.CallId is null)
        {
            var rejected = handler.Rejected(message, $"Input {index} of the chunk has no call id. Give every input a \"callId\".");
            await DeadLetterAsync(context, message, rejected).ConfigureAwait(false);
            outcomes[index] = new ChunkOutcome { Outcome = rejected };
            return;
        }

        var handled = await RunAsync(message, context.CancellationToken).ConfigureAwait(false);
        if (handled.RetryAfter is { } delay && context.ResponseAddress is null)
        {
            // Nobody waits for this chunk's reply to send the input again: the host schedules it, like a spawned input.
            await retries.ScheduleAsync(context, message with { Attempt = handled.Outcome.Attempts + 1 }, delay).ConfigureAwait(false);
        }
        else if (handled.RetryAfter is null && IsFailure(handled.Outcome))
        {
            await DeadLetterAsync(context, message, handled.Outcome).ConfigureAwait(false);
        }

        outcomes[index] = new ChunkOutcome { Outcome = handled.Outcome, RetryAfter = handled.RetryAfter };
    }

    // An empty, oversized or unaddressed chunk runs nothing: it goes to _error whole, with the reason, and its caller hears why.
    private async Task RefuseChunkAsync(ConsumeContext<RunInvocationChunk> context, int count)
    {
        var chunk = context.Message;
        var reason = count == 0
            ? "The chunk carries no inputs. Put at least one input in \"inputs\"."
            : count > RunInvocationChunk.MaxInputs
                ? $"The chunk carries {count} inputs, more than the {RunInvocationChunk.MaxInputs} one chunk may. Split it."
                : $"The chunk names no {(chunk.App is null ? "app" : "function")}. Set \"app\" and \"function\" (and \"class\" for a method).";
        var errors = await context.GetSendEndpoint(deadLetters).ConfigureAwait(false);
        await errors.Send(chunk, send =>
        {
            send.Headers.Set(DeadLetterHeaders.Status, nameof(InvocationStatus.Rejected));
            send.Headers.Set(DeadLetterHeaders.Reason, reason);
            send.Headers.Set(DeadLetterHeaders.ErrorType, typeof(InvalidInputException).FullName);
            send.Headers.Set(DeadLetterHeaders.Attempts, 0);
        }, context.CancellationToken).ConfigureAwait(false);
        if (context.ResponseAddress is not null)
        {
            var outcomes = Enumerable.Range(0, count)
                .Select(i => new ChunkOutcome { Outcome = handler.Rejected(InputAt(chunk, i), reason) })
                .ToList();
            await context.RespondAsync(new InvocationChunkCompleted { Outcomes = outcomes }).ConfigureAwait(false);
        }
    }

    // Input i as a single invocation; a null entry (a foreign publisher's) becomes one without a call id, to be refused.
    private static RunInvocation InputAt(RunInvocationChunk chunk, int index) => chunk.Inputs[index] is null
        ? new RunInvocation { CallId = null!, App = chunk.App, Class = chunk.Class, Function = chunk.Function, Parameters = chunk.Parameters }
        : chunk.Expand(index);

    // One attempt of one input, when the pool's concurrency has room, with its span and metrics.
    private async Task<HandledInput> RunAsync(RunInvocation message, CancellationToken cancellationToken)
    {
        await slot.WaitTurnAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var container = await slot.AcquireAsync().ConfigureAwait(false);
            using var attempt = Telemetry.StartAttempt(message);
            var handled = await handler.HandleAsync(container, message, cancellationToken).ConfigureAwait(false);
            Telemetry.EndAttempt(attempt, message, handled.Outcome, retried: handled.RetryAfter is not null);
            return handled;
        }
        finally
        {
            slot.EndTurn();
        }
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

        if (IsFailure(outcome))
        {
            await DeadLetterAsync(context, message, outcome).ConfigureAwait(false);
        }

        await RespondAsync(context, outcome).ConfigureAwait(false);
    }

    private static bool IsFailure(InvocationCompleted outcome) => outcome.Status is not (InvocationStatus.Succeeded or InvocationStatus.Cancelled);

    private async Task DeadLetterAsync(ConsumeContext context, RunInvocation message, InvocationCompleted outcome)
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

    private static async Task RespondAsync(ConsumeContext context, InvocationCompleted outcome)
    {
        if (context.ResponseAddress is not null)
        {
            await context.RespondAsync(outcome).ConfigureAwait(false);
        }
    }

    private InvocationCompleted Rejected(RunInvocation message, string reason) => handler.Rejected(message, reason);
}
