using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Execution;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Batching;

/// <summary>
/// Where the handler sends the inputs of <c>[Batched]</c> methods: each delivery binds its own (single) arguments, joins
/// the collector of its container and method, and waits for its own outcome, so retries, dead letters and replies stay
/// per input. Each delivery stays unacknowledged until then: nothing is lost if the host dies mid-batch.
/// </summary>
internal sealed class Batcher
{
    private readonly ConditionalWeakTable<Container, ContainerBatches> _containers = new();
    private readonly HashSet<(string App, string Class)> _batchingClasses;
    private readonly CallCancellations _cancellations;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public Batcher(AppRegistry registry, CallCancellations cancellations, TimeProvider time, ILogger logger)
    {
        _batchingClasses = registry.Apps.SelectMany(a => a.Classes.Values)
            .Where(c => c.Methods.Values.Any(m => m.Batched is not null))
            .Select(c => (c.App, c.Name))
            .ToHashSet();
        _cancellations = cancellations;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Runs one input of a batched method in its next batch. Throws <see cref="OperationCanceledException"/> only when
    /// the host is stopping, so the input is delivered again (not counted as an attempt).
    /// </summary>
    public async Task<InvocationCompleted> RunAsync(Container container, Callable callable, RunInvocation message, int attempt, CancellationToken stopping)
    {
        var arrived = _time.GetUtcNow();
        object?[] arguments;
        try
        {
            // Each input is bound alone, to the lists' element types: a bad input is refused without failing its batch.
            arguments = ArgumentBinder.Bind(callable, message.Args, message.Kwargs, CancellationToken.None);
        }
        catch (InvalidInputException e)
        {
            Log.Rejected(_logger, message.CallId, callable.DisplayName, e.Message);
            return BatchOutcome.Of(message, InvocationStatus.Rejected, arrived, _time.GetUtcNow(), attempt, error: new RemoteError(typeof(ArgumentException).FullName!, e.Message, null));
        }

        var input = new BatchInput(message, attempt, arguments, arrived, stopping);
        using var cancel = _cancellations.Track(message.CallId);
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancel.Token);
        Collector(container, callable).Add(input);
        try
        {
            return await input.Outcome.WaitAsync(leave.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (leave.IsCancellationRequested && input.TryWithdraw())
        {
            // Left before its batch ran: a stopping host's input goes back to the queue; a cancelled call is done.
            stopping.ThrowIfCancellationRequested();
            return BatchOutcome.Cancelled(message, arrived, _time.GetUtcNow(), attempt - 1);
        }
        catch (OperationCanceledException) when (leave.IsCancellationRequested && !input.Outcome.IsCanceled)
        {
            // Already in a running batch: its outcome stands (Cancelled for a cancelled call; a stopping host cancels the batch).
            return await input.Outcome.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For an unbatched method of a class that also has batched ones: waits until no batch (or other call) runs on the
    /// instance. Holds nothing for any other callable.
    /// </summary>
    public async Task<Turn> TakeTurnAsync(Container container, Callable callable, CancellationToken stopping)
    {
        if (callable.Class is null || !_batchingClasses.Contains((callable.App, callable.Class)))
        {
            return default;
        }

        return await Batches(container).Turn.TakeAsync(stopping).ConfigureAwait(false);
    }

    private BatchCollector Collector(Container container, Callable callable)
    {
        var batches = Batches(container);
        return batches.Collectors.GetOrAdd(
            callable.Name,
            static (_, state) => new BatchCollector(state.callable, state.container, state.callable.Class is null ? null : state.batches.Turn, state.self._cancellations, state.self._time, state.self._logger),
            (callable, container, batches, self: this));
    }

    private ContainerBatches Batches(Container container) => _containers.GetValue(container, static _ => new ContainerBatches());
}
