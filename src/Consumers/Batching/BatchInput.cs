using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Batching;

/// <summary>
/// One input waiting for, or running in, a batch. Exactly one side wins it: the batch claims it to run, or its
/// delivery withdraws it first (its call was cancelled, or the host is stopping), so an input never runs after its
/// caller was told it did not.
/// </summary>
internal sealed class BatchInput(RunInvocation message, int attempt, object?[] arguments, DateTimeOffset arrived, CancellationToken stopping)
{
    private const int Waiting = 0;
    private const int Claimed = 1;
    private const int Withdrawn = 2;

    private readonly TaskCompletionSource<InvocationCompleted> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    public RunInvocation Message { get; } = message;

    public int Attempt { get; } = attempt;

    /// <summary>The method's parameter values for this input alone (element values), by parameter position.</summary>
    public object?[] Arguments { get; } = arguments;

    /// <summary>Cancelled when the host stops consuming: the input then goes back to the queue.</summary>
    public CancellationToken Stopping { get; } = stopping;

    /// <summary>When it reached the container: a batch runs at the latest WaitMs after its first input's arrival.</summary>
    public DateTimeOffset Arrived { get; } = arrived;

    public Task<InvocationCompleted> Outcome => _outcome.Task;

    public bool IsWithdrawn => Volatile.Read(ref _state) == Withdrawn;

    /// <summary>Takes the input into a batch that is about to run; false when its delivery already gave up on it.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Waiting) == Waiting;

    /// <summary>Takes the input out before any batch claimed it; false when it is already in a batch.</summary>
    public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Waiting) == Waiting;

    public void Complete(InvocationCompleted outcome) => _outcome.TrySetResult(outcome);

    /// <summary>The host is stopping: the delivery throws and the input is delivered again, uncounted.</summary>
    public void Abandon() => _outcome.TrySetCanceled();
}
