namespace Pipeline.Consumers.Lifecycle;

/// <summary>
/// The container a pool's consumer runs inputs on. When the container's <c>enter</c> failed, its inputs get the
/// error; once <see cref="RestartBackoff"/> has passed, the next input gets a fresh container (a crash loop is slowed, not spun).
/// A container whose timed-out or cancelled attempt is still running takes no input until it ends; past
/// <see cref="StuckAttempts.Grace"/> it is stuck (broken), and the next input gets a fresh container at once. So does
/// the next input after a cancel that terminated the container.
/// At most <c>concurrency</c> inputs run on it at once, whether they came one per message or many in a chunk.
/// </summary>
internal sealed class ContainerSlot(string queue, Func<Container> create, TimeProvider time, TimeSpan restartBackoff, int concurrency) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _turns = new(concurrency, concurrency);
    private readonly CancellationTokenSource _lifetime = new();
    private Container _current = create();
    private DateTimeOffset? _failedAt;
    private int _inFlight;
    private long _lastActivityTicks = time.GetUtcNow().UtcTicks;

    public string Queue { get; } = queue;

    /// <summary>The most inputs this container runs at once.</summary>
    public int Concurrency { get; } = concurrency;

    public TimeSpan RestartBackoff { get; } = restartBackoff;

    public Container Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Inputs running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>When an input last started or finished (or the slot was made): the idle clock for scale-down.</summary>
    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    /// <summary>Marks an input as started; pair with <see cref="EndInput"/>.</summary>
    public void BeginInput()
    {
        Interlocked.Increment(ref _inFlight);
        Touch();
    }

    /// <summary>Marks an input as finished.</summary>
    public void EndInput()
    {
        Interlocked.Decrement(ref _inFlight);
        Touch();
    }

    /// <summary>Waits until fewer than the pool's concurrency inputs run; pair with <see cref="EndTurn"/>.</summary>
    /// <param name="cancellationToken">Stops waiting (the host is stopping).</param>
    public Task WaitTurnAsync(CancellationToken cancellationToken) => _turns.WaitAsync(cancellationToken);

    /// <summary>Lets the next input run.</summary>
    public void EndTurn() => _turns.Release();

    /// <summary>The container to run the next input on, entered (or failed).</summary>
    public async Task<Container> AcquireAsync()
    {
        Container container;
        lock (_gate)
        {
            if (_current.State == ContainerState.Failed && _failedAt is { } failed && time.GetUtcNow() - failed >= RestartBackoff)
            {
                _current = create();
                _failedAt = null;
            }

            if (_current.IsBroken)
            {
                _current = create();
            }

            container = _current;
        }

        if (!await container.SettleAsync().ConfigureAwait(false))
        {
            lock (_gate)
            {
                if (_current == container)
                {
                    _current = create();
                    _failedAt = null;
                }

                container = _current;
            }
        }

        if (!await container.StartAsync(_lifetime.Token).ConfigureAwait(false))
        {
            lock (_gate)
            {
                _failedAt ??= time.GetUtcNow();
            }
        }

        return container;
    }

    /// <summary>Stops the current container: its exit hooks run within <paramref name="grace"/> if it entered.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await Current.StopAsync(grace).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _lifetime.Dispose();
        _turns.Dispose();
    }

    /// <summary>
    /// Restarts the idle clock: a container that just became ready (after <c>enter</c>, or a child process's start) is
    /// not idle for the time that took.
    /// </summary>
    public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, time.GetUtcNow().UtcTicks);
}
