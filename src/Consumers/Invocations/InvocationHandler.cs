using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Execution;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// Runs one input on a container: resolves it through the registry, checks it belongs to the container's pool,
/// waits for <c>enter</c>, then runs attempts with the per-attempt timeout and the retry policy.
/// Knows nothing of the transport.
/// </summary>
internal sealed class InvocationHandler(AppRegistry registry, TimeProvider time, ILogger<InvocationHandler> logger)
{
    /// <summary>Handles the input. Throws <see cref="OperationCanceledException"/> only when the host is stopping, so the input is delivered again.</summary>
    public async Task<InvocationCompleted> HandleAsync(Container container, RunInvocation message, CancellationToken stopping)
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
            return Outcome(message, InvocationStatus.Rejected, started, 0, error: new RemoteError(e.GetType().FullName!, e.Message, null));
        }

        if (container.State != ContainerState.Ready)
        {
            return Outcome(message, InvocationStatus.EnterFailed, started, 0, error: container.EnterError);
        }

        var policy = callable.Settings.Retries;
        for (var attempt = Math.Max(1, message.Attempt); ; attempt++)
        {
            var attemptStarted = time.GetUtcNow();
            var result = await AttemptAsync(container, callable, message, attempt, stopping).ConfigureAwait(false);
            var retryable = result.Status is InvocationStatus.Failed or InvocationStatus.TimedOut;
            if (!retryable || attempt > policy.MaxRetries)
            {
                Log.Completed(logger, message.CallId, callable.DisplayName, result.Status.ToString(), attempt);
                return result with { StartedAt = attemptStarted };
            }

            var delay = policy.DelayBefore(attempt);
            Log.Retrying(logger, message.CallId, callable.DisplayName, attempt, result.Status.ToString(), delay.TotalMilliseconds);
            await Task.Delay(delay, time, stopping).ConfigureAwait(false);
        }
    }

    private Callable Resolve(Container container, RunInvocation message)
    {
        // Publishers in other languages may send "app": null; the JSON reader lets null through a required member.
        if (message.App is null || message.Function is null)
        {
            throw new InvalidInputException(
                $"The input names no {(message.App is null ? "app" : "function")}. Set \"app\" and \"function\" (and \"class\" for a method) in the message.");
        }

        var callable = registry.Resolve(message.App, message.Class, message.Function);
        string queue;
        if (callable.Class is null)
        {
            queue = QueueNames.ForFunction(callable.App, callable.Name);
        }
        else
        {
            var parameters = registry.FindClass(callable.App, callable.Class)!.Schema.BindJson(message.Parameters);
            queue = QueueNames.ForClass(callable.App, callable.Class, parameters);
        }

        // A message on the wrong queue would run with another pool's parameters: refuse it.
        return queue == container.Queue
            ? callable
            : throw new InvalidInputException($"This input for {callable.DisplayName} belongs to pool '{queue}', but arrived at '{container.Queue}'. Send it to '{queue}'.");
    }

    private async Task<InvocationCompleted> AttemptAsync(Container container, Callable callable, RunInvocation message, int attempt, CancellationToken stopping)
    {
        var started = time.GetUtcNow();
        object?[] arguments;
        using var timeout = new CancellationTokenSource(callable.Settings.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        try
        {
            arguments = ArgumentBinder.Bind(callable, message.Args, message.Kwargs, linked.Token);
        }
        catch (InvalidInputException e)
        {
            Log.Rejected(logger, message.CallId, callable.DisplayName, e.Message);
            return Outcome(message, InvocationStatus.Rejected, started, attempt, error: new RemoteError(typeof(ArgumentException).FullName!, e.Message, null));
        }

        try
        {
            ContainerContext.Enter(container.Context);
            var value = await MethodRunner.RunAsync(callable.Method, container.Instance, arguments)
                .WaitAsync(linked.Token).ConfigureAwait(false);
            var json = JsonSerializer.SerializeToElement(value, callable.Method.ReturnType == typeof(void) ? typeof(object) : value?.GetType() ?? typeof(object), PayloadJson.Options);
            return Outcome(message, InvocationStatus.Succeeded, started, attempt, value: json);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
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
