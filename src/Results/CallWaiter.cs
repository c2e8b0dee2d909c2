namespace Pipeline.Results;

/// <summary>
/// One <see cref="PostgresResultStore.GetAsync"/> waiting on one call: <see cref="Arm"/> before each look, then await what it
/// returned, so a notification that arrives between the look and the await is not lost.
/// </summary>
internal sealed class CallWaiter : IDisposable
{
    private readonly CallNotifications _owner;
    private readonly Lock _lock = new();
    private TaskCompletionSource _signal = NewSignal();

    internal CallWaiter(CallNotifications owner, string callId, Task<bool> listening)
    {
        _owner = owner;
        CallId = callId;
        Listening = listening;
    }

    /// <summary>The call waited on.</summary>
    public string CallId { get; }

    /// <summary>Completes true once the shared listener is listening, false when its attempt failed (the waiter then polls).</summary>
    public Task<bool> Listening { get; }

    /// <summary>The task the next notification for <see cref="CallId"/> completes; a fresh one once the last one fired.</summary>
    /// <returns>The task to await after looking.</returns>
    public Task Arm()
    {
        lock (_lock)
        {
            if (_signal.Task.IsCompleted)
            {
                _signal = NewSignal();
            }

            return _signal.Task;
        }
    }

    /// <summary>Wakes the waiter: the call may have changed.</summary>
    public void Signal()
    {
        lock (_lock)
        {
            _signal.TrySetResult();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _owner.Unsubscribe(this);

    // Continuations run elsewhere so that the listener's read loop, which signals, never runs a waiter's code.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
