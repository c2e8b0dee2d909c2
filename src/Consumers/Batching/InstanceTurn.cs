namespace Pipeline.Consumers.Batching;

/// <summary>
/// One run at a time on a class instance, first come first served. A class with <c>[Batched]</c> methods takes many
/// inputs at once (its prefetch fits its batches), yet its instance still runs one batch or one call at a time, as
/// every class instance does.
/// </summary>
internal sealed class InstanceTurn
{
    private readonly Lock _gate = new();
    private Task _last = Task.CompletedTask;

    /// <summary>Waits for the turn; dispose the result to pass it on.</summary>
    public async Task<Turn> TakeAsync(CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_gate)
        {
            previous = _last;
            _last = mine.Task;
        }

        try
        {
            await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Whoever queued behind this waiter still waits for the one before it.
            _ = previous.ContinueWith(_ => mine.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }

        return new Turn(mine);
    }
}
