using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Execution;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Batching;

/// <summary>
/// Gathers the inputs of one <c>[Batched]</c> method on one container and runs them in batches, one batch at a time:
/// a batch starts as soon as <c>MaxBatchSize</c> inputs wait, or <c>WaitMs</c> after its first input arrived, whichever
/// comes first (Modal's rule). Inputs whose call was cancelled, or whose delivery gave up, are dropped before the batch
/// runs. Results go back by position; an exception, a timeout or a result list of the wrong length fails every input of
/// the batch, and each then follows its own retry policy in the handler.
/// </summary>
internal sealed class BatchCollector
{
    private readonly Callable _callable;
    private readonly BatchSignature _signature;
    private readonly Container _container;
    private readonly InstanceTurn? _turn;
    private readonly CallCancellations _cancellations;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _wait;
    private readonly Lock _gate = new();
    private readonly List<BatchInput> _waiting = [];
    private bool _running;
    private bool _wakeSet;

    public BatchCollector(Callable callable, Container container, InstanceTurn? turn, CallCancellations cancellations, TimeProvider time, ILogger logger)
    {
        _callable = callable;
        _signature = callable.BatchSignature ?? throw new ArgumentException($"{callable.DisplayName} is not batched.", nameof(callable));
        _container = container;
        _turn = turn;
        _cancellations = cancellations;
        _time = time;
        _logger = logger;
        _maxBatchSize = callable.Batched!.MaxBatchSize;
        _wait = TimeSpan.FromMilliseconds(callable.Batched.WaitMs);
    }

    /// <summary>Adds an input; its <see cref="BatchInput.Outcome"/> completes when its batch has run.</summary>
    public void Add(BatchInput input)
    {
        lock (_gate)
        {
            _waiting.Add(input);
        }

        Pump();
    }

    // Starts the next batch when one is due and none runs; otherwise keeps one wake-up set for the oldest input's
    // deadline. Deadlines only grow (later inputs arrived later), so one pending wake-up is always early enough.
    private void Pump()
    {
        List<BatchInput>? batch = null;
        var wake = TimeSpan.Zero;
        lock (_gate)
        {
            _waiting.RemoveAll(i => i.IsWithdrawn);
            if (_running || _waiting.Count == 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var due = _waiting[0].Arrived + _wait;
            if (_waiting.Count >= _maxBatchSize || now >= due)
            {
                batch = _waiting.GetRange(0, Math.Min(_maxBatchSize, _waiting.Count));
                _waiting.RemoveRange(0, batch.Count);
                _running = true;
            }
            else if (!_wakeSet)
            {
                _wakeSet = true;
                wake = due - now;
            }
            else
            {
                return;
            }
        }

        // A new thread of work per batch: a synchronous method finishing one batch never runs the next on its stack.
        _ = batch is not null ? Task.Run(() => RunAsync(batch)) : WakeAsync(wake);
    }

    private async Task WakeAsync(TimeSpan delay)
    {
        // Timers count whole milliseconds: round up so the wake-up is never before the deadline.
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds)), _time).ConfigureAwait(false);
        lock (_gate)
        {
            _wakeSet = false;
        }

        Pump();
    }

    private async Task RunAsync(List<BatchInput> batch)
    {
        try
        {
            using var turn = _turn is null ? default : await _turn.TakeAsync(CancellationToken.None).ConfigureAwait(false);
            var inputs = Claim(batch, out var dropped);
            if (inputs.Count > 0)
            {
                BatchLog.Running(_logger, inputs.Count, _callable.DisplayName, _container.Id, dropped);
                await ExecuteAsync(inputs).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Never leave a delivery waiting for an outcome that will not come.
            BatchLog.Broke(_logger, e, batch.Count, _callable.DisplayName, _container.Id);
            var now = _time.GetUtcNow();
            foreach (var input in batch)
            {
                input.Complete(BatchOutcome.Of(input.Message, InvocationStatus.Failed, now, now, input.Attempt, error: RemoteErrors.From(e)));
            }
        }
        finally
        {
            lock (_gate)
            {
                _running = false;
            }

            Pump();
        }
    }

    // The inputs that run: not withdrawn by their delivery, not cancelled, and not of a stopping host.
    private List<BatchInput> Claim(List<BatchInput> batch, out int dropped)
    {
        var inputs = new List<BatchInput>(batch.Count);
        var now = _time.GetUtcNow();
        foreach (var input in batch)
        {
            if (!input.TryClaim())
            {
                continue;
            }

            if (_cancellations.IsCancelled(input.Message.CallId))
            {
                input.Complete(BatchOutcome.Cancelled(input.Message, now, now, input.Attempt - 1));
            }
            else if (input.Stopping.IsCancellationRequested)
            {
                input.Abandon();
            }
            else
            {
                inputs.Add(input);
            }
        }

        dropped = batch.Count - inputs.Count;
        return inputs;
    }

    private async Task ExecuteAsync(List<BatchInput> inputs)
    {
        using var span = Telemetry.StartBatch(_callable.DisplayName, inputs.Count);
        var started = _time.GetUtcNow();
        using var timeout = new CancellationTokenSource(_callable.Settings.Timeout, _time);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(inputs.Select(i => i.Stopping).Distinct().ToArray());
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping.Token);
        var arguments = _signature.Arguments(inputs.Select(i => i.Arguments).ToList(), _callable.CancellationTokenIndex, linked.Token);
        IReadOnlyList<object?>? results;
        Task<object?>? run = null;
        try
        {
            ContainerContext.Enter(_container.Context);
            run = _container.StartMethodAsync(_callable.Method, arguments);
            var returned = await run.WaitAsync(linked.Token).ConfigureAwait(false);
            results = BatchSignature.Results(returned);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host is stopping: every input goes back to the queue, uncounted.
            inputs.ForEach(i => i.Abandon());
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            _container.Abandon(run, $"a batch of {inputs.Count} input(s) to {_callable.DisplayName}", $"timed out after {_callable.Settings.Timeout.TotalSeconds:0.###} s", started);
            var error = new RemoteError("Pipeline.FunctionTimeoutException", $"{_callable.DisplayName} timed out after {_callable.Settings.Timeout.TotalSeconds:0.###} s running a batch of {inputs.Count} input(s).", null);
            FailAll(inputs, InvocationStatus.TimedOut, started, error);
            return;
        }
        catch (Exception e)
        {
            FailAll(inputs, InvocationStatus.Failed, started, RemoteErrors.From(e));
            return;
        }

        if (results is null || results.Count != inputs.Count)
        {
            var got = results is null ? "null" : $"{results.Count} result(s)";
            var error = new RemoteError("Pipeline.BatchResultException", $"{_callable.DisplayName} returned {got} for a batch of {inputs.Count} input(s). A [Batched] method returns a list with one result per input, in input order.", null);
            FailAll(inputs, InvocationStatus.Failed, started, error);
            return;
        }

        var finished = _time.GetUtcNow();
        for (var i = 0; i < inputs.Count; i++)
        {
            inputs[i].Complete(Succeeded(inputs[i], results[i], started, finished));
        }
    }

    private InvocationCompleted Succeeded(BatchInput input, object? result, DateTimeOffset started, DateTimeOffset finished)
    {
        // A caller that cancelled while its batch ran gets Cancelled: one caller cannot stop the others' batch.
        if (_cancellations.IsCancelled(input.Message.CallId))
        {
            return BatchOutcome.Cancelled(input.Message, started, finished, input.Attempt);
        }

        try
        {
            var json = JsonSerializer.SerializeToElement(result, result?.GetType() ?? _signature.ResultElement, PayloadJson.Options);
            return BatchOutcome.Of(input.Message, InvocationStatus.Succeeded, started, finished, input.Attempt, value: json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Only this input's result could not be written: the others keep theirs.
            return BatchOutcome.Of(input.Message, InvocationStatus.Failed, started, finished, input.Attempt, error: RemoteErrors.From(e));
        }
    }

    private void FailAll(List<BatchInput> inputs, InvocationStatus status, DateTimeOffset started, RemoteError error)
    {
        BatchLog.Failed(_logger, inputs.Count, _callable.DisplayName, _container.Id, status.ToString());
        var finished = _time.GetUtcNow();
        foreach (var input in inputs)
        {
            input.Complete(_cancellations.IsCancelled(input.Message.CallId)
                ? BatchOutcome.Cancelled(input.Message, started, finished, input.Attempt)
                : BatchOutcome.Of(input.Message, status, started, finished, input.Attempt, error: error));
        }
    }
}
