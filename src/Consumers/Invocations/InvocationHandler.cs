using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Batching;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Execution;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// Runs one delivery of an input on a container: resolves it through the registry, checks it belongs to the
/// container's pool, waits for <c>enter</c>, then runs this attempt with the per-attempt timeout and says whether the
/// retry policy wants another one (sent again later by an <see cref="IRetryScheduler"/>, not held here).
/// Knows nothing of the transport.
/// </summary>
internal sealed class InvocationHandler(AppRegistry registry, CallCancellations cancellations, TimeProvider time, ILogger<InvocationHandler> logger)
{
    private const int MaxCachedQueues = 4096;
    private readonly Batcher _batches = new(registry, cancellations, time, logger);

    // Which pool a method's input belongs to, worked out once per class parameter text rather than per input (binding
    // the parameters and hashing them costs microseconds and kilobytes). Bad parameters are never cached.
    private readonly ConcurrentDictionary<(ClassDefinition Class, string Parameters), string> _classQueues = new();

    /// <summary>
    /// Handles the input. Throws <see cref="OperationCanceledException"/> only when the host is stopping, so the input is
    /// delivered again (not counted as an attempt).
    /// </summary>
    public async Task<HandledInput> HandleAsync(Container container, RunInvocation message, CancellationToken stopping)
    {
        var started = time.GetUtcNow();
        Callable callable;
        try
        {
            callable = Resolve(container, message);
        }
        catch (Exception e) when (e is InvalidInputException or UnknownTargetException or ParameterException)
        {
            Log.Rejected(logger, message.CallId, Target(message), e.Message);
            return Final(Outcome(message, InvocationStatus.Rejected, started, 0, error: new RemoteError(e.GetType().FullName!, e.Message, null)));
        }

        var attempt = Math.Max(1, message.Attempt);
        if (cancellations.IsCancelled(message.CallId))
        {
            return Final(Cancelled(message, started, attempt - 1));
        }

        if (container.State != ContainerState.Ready)
        {
            return Final(Outcome(message, InvocationStatus.EnterFailed, started, attempt, error: container.EnterError));
        }

        var result = callable.Batched is null
            ? await AttemptOneAsync(container, callable, message, attempt, stopping).ConfigureAwait(false)
            : await _batches.RunAsync(container, callable, message, attempt, stopping).ConfigureAwait(false);
        var policy = callable.Settings.Retries;
        if (result.Status is not (InvocationStatus.Failed or InvocationStatus.TimedOut) || attempt > policy.MaxRetries)
        {
            Log.Completed(logger, message.CallId, callable.DisplayName, result.Status.ToString(), attempt);
            return Final(result);
        }

        var delay = policy.DelayBefore(attempt);
        Log.Retrying(logger, message.CallId, callable.DisplayName, attempt, result.Status.ToString(), delay.TotalMilliseconds);
        return new HandledInput(result, delay);
    }

    /// <summary>The outcome of a call cancelled before or while it ran.</summary>
    public InvocationCompleted Cancelled(RunInvocation message, DateTimeOffset started, int attempts) =>
        Outcome(message, InvocationStatus.Cancelled, started, attempts, error: new RemoteError("Pipeline.CallCancelledException", $"Call {message.CallId} was cancelled.", null));

    /// <summary>The outcome of an input refused before running.</summary>
    public InvocationCompleted Rejected(RunInvocation message, string reason) =>
        Outcome(message, InvocationStatus.Rejected, time.GetUtcNow(), 0, error: new RemoteError(typeof(InvalidInputException).FullName!, reason, null));

    private static HandledInput Final(InvocationCompleted outcome) => new(outcome, null);

    private Callable Resolve(Container container, RunInvocation message)
    {
        // Publishers in other languages may send "app": null; the JSON reader lets null through a required member.
        if (message.App is null || message.Function is null)
        {
            throw new InvalidInputException(
                $"The input names no {(message.App is null ? "app" : "function")}. Set \"app\" and \"function\" (and \"class\" for a method) in the message.");
        }

        var callable = registry.Resolve(message.App, message.Class, message.Function);
        var queue = callable.Class is null
            ? callable.FunctionQueue
            : ClassQueue(registry.FindClass(callable.App, callable.Class)!, message.Parameters);

        // A message on the wrong queue would run with another pool's parameters: refuse it.
        return queue == container.Queue
            ? callable
            : throw new InvalidInputException($"This input for {callable.DisplayName} belongs to pool '{queue}', but arrived at '{container.Queue}'. Send it to '{queue}'.");
    }

    private string ClassQueue(ClassDefinition cls, JsonElement? parameters)
    {
        var text = parameters switch
        {
            null => "",
            { ValueKind: JsonValueKind.Undefined } => "\0",
            { } json => json.GetRawText(),
        };
        var key = (cls, text);
        if (_classQueues.TryGetValue(key, out var queue))
        {
            return queue;
        }

        queue = QueueNames.ForClass(cls.App, cls.Name, cls.Schema.BindJson(parameters));
        if (_classQueues.Count >= MaxCachedQueues)
        {
            _classQueues.Clear();
        }

        _classQueues[key] = queue;
        return queue;
    }

    // A class that also has [Batched] methods takes many inputs at once; its other methods still run one at a time.
    private async Task<InvocationCompleted> AttemptOneAsync(Container container, Callable callable, RunInvocation message, int attempt, CancellationToken stopping)
    {
        using var turn = await _batches.TakeTurnAsync(container, callable, stopping).ConfigureAwait(false);
        return await AttemptAsync(container, callable, message, attempt, stopping).ConfigureAwait(false);
    }

    private async Task<InvocationCompleted> AttemptAsync(Container container, Callable callable, RunInvocation message, int attempt, CancellationToken stopping)
    {
        var started = time.GetUtcNow();
        object?[] arguments;
        using var timeout = new CancellationTokenSource(callable.Settings.Timeout, time);
        using var cancel = cancellations.Track(message.CallId);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token, cancel.Token);
        try
        {
            arguments = ArgumentBinder.Bind(callable, message.Args, message.Kwargs, linked.Token);
        }
        catch (InvalidInputException e)
        {
            Log.Rejected(logger, message.CallId, callable.DisplayName, e.Message);
            return Outcome(message, InvocationStatus.Rejected, started, attempt, error: new RemoteError(typeof(ArgumentException).FullName!, e.Message, null));
        }

        Task<object?>? run = null;
        try
        {
            ContainerContext.Enter(container.Context.ForInput(message.CallId, attempt));
            // A call made from the method (through the injected client) names this one as its parent.
            CurrentCall.Enter(message.CallId);
            run = container.StartMethodAsync(callable.Method, arguments);
            var value = await run.WaitAsync(linked.Token).ConfigureAwait(false);
            var json = JsonSerializer.SerializeToElement(value, callable.Method.ReturnType == typeof(void) ? typeof(object) : value?.GetType() ?? typeof(object), PayloadJson.Options);
            return Outcome(message, InvocationStatus.Succeeded, started, attempt, value: json);
        }
        catch (OperationCanceledException) when (cancel.Token.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            container.Abandon(run, $"call {message.CallId} to {callable.DisplayName}", "cancelled", started, cancellations.TerminatesContainer(message.CallId));
            return Cancelled(message, started, attempt);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            container.Abandon(run, $"call {message.CallId} to {callable.DisplayName}", $"timed out after {callable.Settings.Timeout.TotalSeconds:0.###} s", started);
            var error = new RemoteError("Pipeline.FunctionTimeoutException", $"{callable.DisplayName} timed out after {callable.Settings.Timeout.TotalSeconds:0.###} s (attempt {attempt}).", null);
            return Outcome(message, InvocationStatus.TimedOut, started, attempt, error: error);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            return Outcome(message, InvocationStatus.Failed, started, attempt, error: RemoteErrors.From(e));
        }
    }

    private InvocationCompleted Outcome(RunInvocation message, InvocationStatus status, DateTimeOffset started, int attempts, JsonElement? value = null, RemoteError? error = null) => new()
    {
        CallId = message.CallId,
        Status = status,
        Value = value,
        Error = error,
        Attempts = attempts,
        StartedAt = started,
        FinishedAt = time.GetUtcNow(),
    };

    private static string Target(RunInvocation message) =>
        message.Class is null ? $"{message.App}.{message.Function}" : $"{message.App}.{message.Class}.{message.Function}";
}

/// <summary>What became of one delivery: the outcome, and the delay before the next attempt when one is due.</summary>
internal sealed record HandledInput(InvocationCompleted Outcome, TimeSpan? RetryAfter);
