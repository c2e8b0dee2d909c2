using MassTransit;
using MassTransit.Transports;
using Pipeline.Consumers.Execution;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Consumers.Replies;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// The MassTransit consumer of one pool's queue on this host, bound to that pool's containers here (each input runs on one). It runs the input, schedules the next
/// attempt when the retry policy wants one, records the outcome of a spawned call, answers a remote call, and moves a
/// failed or rejected input to the pool's <c>_error</c> queue with the reason in its headers; the input is acknowledged
/// only after all of that. A chunk (what <c>map</c> sends) runs each of its inputs the same way, as many at once as
/// the pool's concurrency allows, and answers with one outcome per input; its caller sends failed inputs again.
/// Replies go through <see cref="ReplySender"/>: a reply that cannot be delivered never fails the input or the pool;
/// the input is dead-lettered with the reason instead.
/// </summary>
internal sealed class InvocationConsumer(ContainerDispatch containers, InvocationHandler handler, IResultStore results, IRetryScheduler retries, ReplySender replies, Uri deadLetters)
    : IConsumer<RunInvocation>, IConsumer<RunInvocationChunk>
{
    public async Task Consume(ConsumeContext<RunInvocation> context)
    {
        containers.BeginInput();
        try
        {
            await ConsumeCoreAsync(context).ConfigureAwait(false);
        }
        finally
        {
            containers.EndInput();
        }
    }

    public async Task Consume(ConsumeContext<RunInvocationChunk> context)
    {
        containers.BeginInput();
        try
        {
            await ConsumeChunkAsync(context).ConfigureAwait(false);
        }
        finally
        {
            containers.EndInput();
        }
    }

    /// <summary>How long a duplicate waits before it looks again whether the call that owns its key has finished.</summary>
    internal static readonly TimeSpan DuplicateRecheck = TimeSpan.FromSeconds(2);

    private async Task ConsumeCoreAsync(ConsumeContext<RunInvocation> context)
    {
        var message = context.Message;
        if (containers.IsClosed && GiveBack(context) is { } giveBack)
        {
            // Redelivered here while the pool stops consuming: back to the queue before any store round trip.
            giveBack();
            context.CancellationToken.ThrowIfCancellationRequested();
        }

        if (CallIds.Problem(message.CallId) is { } badId)
        {
            await FinishAsync(context, Rejected(message, badId)).ConfigureAwait(false);
            return;
        }

        if (await AlreadyHandledAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var handled = await RunAsync(message, GiveBack(context), context.CancellationToken).ConfigureAwait(false);
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

        // Chunks are admitted as many at once as the pool's containers here run inputs; once admitted, a chunk's
        // inputs keep their turns through a stop (some may have run), so shutdown waits only for these.
        var outcomes = new ChunkOutcome[count];
        await containers.EnterChunkAsync(GiveBack(context), context.CancellationToken).ConfigureAwait(false);
        try
        {
            var runs = new Task[count];
            for (var i = 0; i < count; i++)
            {
                runs[i] = RunChunkInputAsync(context, i, outcomes);
            }

            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        finally
        {
            containers.LeaveChunk();
        }

        if (await replies.SendAsync(context, new InvocationChunkCompleted { Outcomes = outcomes }).ConfigureAwait(false) is { } undeliverable)
        {
            // Each input ran once and is not run again; the ones not already in _error go there, saying why nobody heard.
            for (var i = 0; i < count; i++)
            {
                if (!IsFailure(outcomes[i].Outcome) || outcomes[i].RetryAfter is not null)
                {
                    await DeadLetterAsync(context, InputAt(chunk, i), outcomes[i].Outcome, undeliverable).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task RunChunkInputAsync(ConsumeContext<RunInvocationChunk> context, int index, ChunkOutcome[] outcomes)
    {
        var chunk = context.Message;
        var message = InputAt(chunk, index);
        if (CallIds.Problem(message.CallId) is { } badId)
        {
            var rejected = handler.Rejected(message, $"Input {index} of the chunk: {badId}");
            await DeadLetterAsync(context, message, rejected).ConfigureAwait(false);
            outcomes[index] = new ChunkOutcome { Outcome = rejected };
            return;
        }

        var handled = await RunAsync(message, giveBack: null, context.CancellationToken).ConfigureAwait(false);
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
        var outcomes = Enumerable.Range(0, count)
            .Select(i => new ChunkOutcome { Outcome = handler.Rejected(InputAt(chunk, i), reason) })
            .ToList();
        var undeliverable = await replies.SendAsync(context, new InvocationChunkCompleted { Outcomes = outcomes }).ConfigureAwait(false);
        var errors = await context.GetSendEndpoint(deadLetters).ConfigureAwait(false);
        await errors.Send(chunk, send =>
        {
            send.Headers.Set(DeadLetterHeaders.Status, nameof(InvocationStatus.Rejected));
            send.Headers.Set(DeadLetterHeaders.Reason, undeliverable is null ? reason : $"{reason} Also {undeliverable}");
            send.Headers.Set(DeadLetterHeaders.ErrorType, typeof(InvalidInputException).FullName);
            send.Headers.Set(DeadLetterHeaders.Attempts, 0);
        }, context.CancellationToken).ConfigureAwait(false);
    }

    // Input i as a single invocation; a null entry (a foreign publisher's) becomes one without a call id, to be refused.
    private static RunInvocation InputAt(RunInvocationChunk chunk, int index) => chunk.Inputs is null || index >= chunk.Inputs.Count || chunk.Inputs[index] is null
        ? new RunInvocation { CallId = null!, App = chunk.App, Class = chunk.Class, Function = chunk.Function, Parameters = chunk.Parameters }
        : chunk.Expand(index);

    // One attempt of one input, when the pool's concurrency has room, with its span and metrics. Only this holds a
    // turn: the store lookup before it and the outcome write after it overlap those of other inputs.
    private async Task<HandledInput> RunAsync(RunInvocation message, Action? giveBack, CancellationToken cancellationToken)
    {
        var slot = await containers.TakeTurnAsync(giveBack, cancellationToken).ConfigureAwait(false);
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
            containers.EndTurn(slot);
        }
    }

    // How an input that waits here while the pool stops goes back to the queue: MassTransit returns a delivery
    // unacknowledged, without a fault or a dead letter, only when its own consume token is cancelled (what its
    // ConsumerStopTimeout does); a cancellation of any other token is a consumer failure and goes to _error.
    private static Action? GiveBack(ConsumeContext context) =>
        context.ReceiveContext is BaseReceiveContext receive ? receive.Cancel : null;

    // True when this input must not run: a spawned call already finished or cancelled (a redelivery after a crash, or a
    // cancel recorded in the store), or another call holds its idempotency key.
    private async Task<bool> AlreadyHandledAsync(ConsumeContext<RunInvocation> context)
    {
        var message = context.Message;
        if (Records(message))
        {
            var lookup = await results.GetAsync(message.CallId, TimeSpan.Zero, context.CancellationToken).ConfigureAwait(false);
            if (lookup is { State: CallState.Completed, Result: { } done })
            {
                await ReplyAsync(context, message, done with { CallId = message.CallId }).ConfigureAwait(false);
                return true;
            }

            // A publisher without the client registers nothing: make the call pending before its key is claimed, so a
            // duplicate that follows the claim to this call finds it.
            if (lookup.State == CallState.Unknown)
            {
                await results.RegisterAsync(message.CallId, context.CancellationToken).ConfigureAwait(false);
            }
        }

        if (message.IdempotencyKey is not { } key)
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

        // A duplicate answers under its own id with the outcome of the call that owns the key. Until that call has
        // finished, the duplicate is sent again later (it holds no turn of the pool meanwhile) and looks again.
        var first = await results.GetAsync(owner, TimeSpan.Zero, context.CancellationToken).ConfigureAwait(false);
        if (first is { State: CallState.Completed, Result: { } outcome })
        {
            await FinishDuplicateAsync(context, outcome with { CallId = message.CallId }).ConfigureAwait(false);
        }
        else
        {
            await retries.ScheduleAsync(context, message, DuplicateRecheck).ConfigureAwait(false);
        }

        return true;
    }

    // The first call's outcome, recorded under the duplicate's own id and replied; not dead-lettered again (it ran once).
    private async Task FinishDuplicateAsync(ConsumeContext<RunInvocation> context, InvocationCompleted outcome)
    {
        var message = context.Message;
        if (Records(message))
        {
            await results.RecordAsync(outcome, context.CancellationToken).ConfigureAwait(false);
        }

        await ReplyAsync(context, message, outcome).ConfigureAwait(false);
    }

    // A spawned call is recorded for get by id; a keyed one too, so that a duplicate of it can answer with its outcome.
    private static bool Records(RunInvocation message) => message.StoreResult || message.IdempotencyKey is not null;

    private async Task FinishAsync(ConsumeContext<RunInvocation> context, InvocationCompleted outcome)
    {
        var message = context.Message;
        if (Records(message) && CallIds.Problem(message.CallId) is null)
        {
            await results.RecordAsync(outcome, context.CancellationToken).ConfigureAwait(false);
        }

        var undeliverable = await replies.SendAsync(context, outcome).ConfigureAwait(false);
        if (IsFailure(outcome) || undeliverable is not null)
        {
            await DeadLetterAsync(context, message, outcome, undeliverable).ConfigureAwait(false);
        }
    }

    private static bool IsFailure(InvocationCompleted outcome) => outcome.Status is not (InvocationStatus.Succeeded or InvocationStatus.Cancelled);

    // The input, with why it is here: its own failure, and/or that its reply could not be delivered.
    private async Task DeadLetterAsync(ConsumeContext context, RunInvocation message, InvocationCompleted outcome, string? undeliverable = null)
    {
        var reason = (outcome.Error?.Message, undeliverable) switch
        {
            (null, null) => $"The input ended {outcome.Status}.",
            ({ } failure, null) => failure,
            (null, { } lost) => $"{lost} The input ran once and ended {outcome.Status}; it is not run again.",
            ({ } failure, { } lost) => $"{lost} The input ended {outcome.Status}: {failure}",
        };
        var errors = await context.GetSendEndpoint(deadLetters).ConfigureAwait(false);
        await errors.Send(message, send =>
        {
            send.Headers.Set(DeadLetterHeaders.Status, outcome.Status.ToString());
            send.Headers.Set(DeadLetterHeaders.Reason, reason);
            send.Headers.Set(DeadLetterHeaders.ErrorType, outcome.Error?.Type);
            send.Headers.Set(DeadLetterHeaders.Attempts, outcome.Attempts);
        }, context.CancellationToken).ConfigureAwait(false);
    }

    // Replies outside FinishAsync (an input already handled): a reply that cannot go is the only reason to dead-letter.
    private async Task ReplyAsync(ConsumeContext context, RunInvocation message, InvocationCompleted outcome)
    {
        if (await replies.SendAsync(context, outcome).ConfigureAwait(false) is { } undeliverable)
        {
            await DeadLetterAsync(context, message, outcome, undeliverable).ConfigureAwait(false);
        }
    }

    private InvocationCompleted Rejected(RunInvocation message, string reason) => handler.Rejected(message, reason);
}
