namespace Pipeline.Consumers.Lifecycle;

/// <summary>
/// The containers of one pool on this host, and the inputs its consumer hands them: each input goes to the least busy
/// container with room (a container runs at most its <see cref="ContainerSlot.Concurrency"/> inputs at once), or waits,
/// first come first served, until one has room. A container being removed takes no new input. The pool's endpoint
/// admits more inputs than its containers run (their store lookups and outcome writes overlap, outside any turn);
/// once the pool stops (<see cref="Close"/>), an input still waiting for a turn is given back to the queue at once,
/// unacknowledged and never run. Thread-safe.
/// </summary>
/// <param name="time">The idle clock.</param>
/// <param name="chunkLimit">How many chunks (what <c>map</c> sends, many inputs each) are handled at once here; more wait, and go back to the queue when the pool stops.</param>
internal sealed class ContainerDispatch(TimeProvider time, int chunkLimit = int.MaxValue)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ContainerSlot, Member> _members = new(ReferenceEqualityComparer.Instance);
    private readonly LinkedList<Waiter> _waiters = [];
    private readonly LinkedList<ChunkWaiter> _chunkWaiters = [];
    private int _chunks;
    private int _inFlight;
    private volatile bool _closed;
    private long _lastActivityTicks = time.GetUtcNow().UtcTicks;

    /// <summary>Raised (outside any lock) when an input found no container with room: the pool may want another container.</summary>
    public event Action? Pressed;

    /// <summary>
    /// Inputs (messages) being handled now: running, waiting for a turn, or waiting on the result store before or after
    /// their turn. Not backlog for the autoscaler (that is <see cref="Busy"/> and <see cref="Waiting"/>).
    /// </summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>When an input last started or finished on any container.</summary>
    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    /// <summary>Inputs waiting for a container with room now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Inputs running on the containers now (each holds one turn).</summary>
    public int Busy
    {
        get
        {
            lock (_gate)
            {
                return _members.Values.Sum(m => m.Running);
            }
        }
    }

    /// <summary>Containers taking input now (not being removed).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _members.Values.Count(m => !m.Removing);
            }
        }
    }

    /// <summary>Marks an input (message) as started; pair with <see cref="EndInput"/>.</summary>
    public void BeginInput()
    {
        Interlocked.Increment(ref _inFlight);
        Touch();
    }

    /// <summary>Marks an input (message) as finished.</summary>
    public void EndInput()
    {
        Interlocked.Decrement(ref _inFlight);
        Touch();
    }

    /// <summary>Inputs running on <paramref name="slot"/> now.</summary>
    public int Running(ContainerSlot slot)
    {
        lock (_gate)
        {
            return _members.TryGetValue(slot, out var member) ? member.Running : 0;
        }
    }

    /// <summary>Adds a container (entered or entering): waiting inputs go to it at once.</summary>
    public void Add(ContainerSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        List<(Waiter Waiter, ContainerSlot Slot)> handed = [];
        lock (_gate)
        {
            var member = new Member(slot);
            _members[slot] = member;
            while (_waiters.First is { } first && member.Running < slot.Concurrency)
            {
                _waiters.RemoveFirst();
                member.Running++;
                handed.Add((first.Value, slot));
            }
        }

        Hand(handed);
    }

    /// <summary>
    /// Stops giving <paramref name="slot"/> input; the task completes once its running inputs have ended and it is gone.
    /// </summary>
    public Task RemoveAsync(ContainerSlot slot)
    {
        lock (_gate)
        {
            if (!_members.TryGetValue(slot, out var member))
            {
                return Task.CompletedTask;
            }

            member.Removing = true;
            if (member.Running == 0)
            {
                _members.Remove(slot);
                member.Drained.TrySetResult();
            }

            return member.Drained.Task;
        }
    }

    /// <summary>Whether the pool has stopped taking turns (<see cref="Close"/>).</summary>
    public bool IsClosed => _closed;

    /// <summary>Waits for a container with room and takes one of its turns; pair with <see cref="EndTurn"/>. Keeps waiting when the pool closes.</summary>
    /// <param name="cancellationToken">Stops waiting (the host is stopping).</param>
    public Task<ContainerSlot> TakeTurnAsync(CancellationToken cancellationToken) => TakeTurnAsync(giveBack: null, cancellationToken);

    /// <summary>
    /// Waits for a container with room and takes one of its turns; pair with <see cref="EndTurn"/>. When the pool
    /// closes first (or is closed already), <paramref name="giveBack"/> runs: it cancels
    /// <paramref name="cancellationToken"/> (the input's consume token), which ends the wait, and the transport returns
    /// the input to the queue. Without it (an input of a chunk already admitted) the input keeps waiting.
    /// </summary>
    /// <param name="giveBack">Hands the input back to the transport by cancelling its consume token; null to keep waiting on close.</param>
    /// <param name="cancellationToken">The input's consume token.</param>
    public async Task<ContainerSlot> TakeTurnAsync(Action? giveBack, CancellationToken cancellationToken)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_gate)
        {
            if (!(_closed && giveBack is not null) && _waiters.Count == 0 && LeastBusy() is { } member)
            {
                member.Running++;
                member.Slot.BeginInput();
                return member.Slot;
            }

            waiter = new Waiter(giveBack, cancellationToken);
            node = _waiters.AddLast(waiter);
        }

        if (_closed && giveBack is not null)
        {
            giveBack();
        }
        else
        {
            Pressed?.Invoke();
        }

        using (cancellationToken.Register(() => Abandon(node)))
        {
            var slot = await waiter.Turn.Task.ConfigureAwait(false);
            slot.BeginInput();
            return slot;
        }
    }

    /// <summary>
    /// The pool is stopping: every input waiting for a turn or a chunk place that can be given back goes back to the
    /// queue now (its give-back runs), and so does every later one; inputs running keep their turns to the end.
    /// </summary>
    /// <returns>How many waiting inputs and chunks were given back.</returns>
    public int Close()
    {
        List<Action> giveBacks = [];
        lock (_gate)
        {
            _closed = true;
            giveBacks.AddRange(_waiters.Select(w => w.GiveBack).OfType<Action>());
            giveBacks.AddRange(_chunkWaiters.Select(w => w.GiveBack).OfType<Action>());
        }

        // Each cancels its input's token, which takes the waiter out of the line (Abandon).
        foreach (var giveBack in giveBacks)
        {
            giveBack();
        }

        return giveBacks.Count;
    }

    /// <summary>
    /// Waits until fewer than the chunk limit of chunks are handled here, and takes a place; pair with
    /// <see cref="LeaveChunk"/>. A chunk admitted keeps its inputs' turns when the pool closes (some may have run);
    /// one still waiting here is given back, as a single input is.
    /// </summary>
    /// <param name="giveBack">Hands the chunk back to the transport by cancelling its consume token; null to keep waiting on close.</param>
    /// <param name="cancellationToken">The chunk's consume token.</param>
    public async Task EnterChunkAsync(Action? giveBack, CancellationToken cancellationToken)
    {
        LinkedListNode<ChunkWaiter> node;
        lock (_gate)
        {
            if (!(_closed && giveBack is not null) && _chunkWaiters.Count == 0 && _chunks < chunkLimit)
            {
                _chunks++;
                return;
            }

            node = _chunkWaiters.AddLast(new ChunkWaiter(giveBack, cancellationToken));
        }

        if (_closed && giveBack is not null)
        {
            giveBack();
        }

        using (cancellationToken.Register(() => AbandonChunk(node)))
        {
            await node.Value.Place.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Gives back a chunk's place: the next waiting chunk takes it.</summary>
    public void LeaveChunk()
    {
        ChunkWaiter? next;
        lock (_gate)
        {
            next = _chunkWaiters.First?.Value;
            if (next is null)
            {
                _chunks--;
            }
            else
            {
                _chunkWaiters.RemoveFirst();
            }
        }

        if (next is not null && !next.Place.TrySetResult())
        {
            // Cancelled meanwhile: the place goes to the next one, or back.
            LeaveChunk();
        }
    }

    /// <summary>Gives back a turn of <paramref name="slot"/>: the next waiting input takes it, unless the container is being removed.</summary>
    public void EndTurn(ContainerSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        slot.EndInput();
        Waiter? next = null;
        lock (_gate)
        {
            if (!_members.TryGetValue(slot, out var member))
            {
                return;
            }

            member.Running--;
            if (member.Removing)
            {
                if (member.Running == 0)
                {
                    _members.Remove(slot);
                    member.Drained.TrySetResult();
                }
            }
            else if (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                member.Running++;
                next = first.Value;
            }
        }

        if (next is not null && !next.Turn.TrySetResult(slot))
        {
            // Cancelled meanwhile: the turn goes to the next waiter, or back.
            EndTurnUnstarted(slot);
        }
    }

    private void EndTurnUnstarted(ContainerSlot slot)
    {
        slot.BeginInput();
        EndTurn(slot);
    }

    private Member? LeastBusy() => _members.Values
        .Where(m => !m.Removing && m.Running < m.Slot.Concurrency)
        .OrderBy(m => m.Running)
        .FirstOrDefault();

    private void Abandon(LinkedListNode<Waiter> node)
    {
        lock (_gate)
        {
            if (node.List is not null)
            {
                _waiters.Remove(node);
            }
        }

        // With the consume token, so that MassTransit returns the input to the queue rather than faulting it.
        node.Value.Turn.TrySetCanceled(node.Value.Token);
    }

    private void AbandonChunk(LinkedListNode<ChunkWaiter> node)
    {
        lock (_gate)
        {
            if (node.List is not null)
            {
                _chunkWaiters.Remove(node);
            }
        }

        node.Value.Place.TrySetCanceled(node.Value.Token);
    }

    private void Hand(List<(Waiter Waiter, ContainerSlot Slot)> handed)
    {
        foreach (var (waiter, slot) in handed)
        {
            if (!waiter.Turn.TrySetResult(slot))
            {
                // Cancelled meanwhile: the turn goes to the next waiter, or back.
                EndTurnUnstarted(slot);
            }
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, time.GetUtcNow().UtcTicks);

    private sealed class Waiter(Action? giveBack, CancellationToken token)
    {
        public TaskCompletionSource<ContainerSlot> Turn { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Action? GiveBack { get; } = giveBack;

        public CancellationToken Token { get; } = token;
    }

    private sealed class ChunkWaiter(Action? giveBack, CancellationToken token)
    {
        public TaskCompletionSource Place { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Action? GiveBack { get; } = giveBack;

        public CancellationToken Token { get; } = token;
    }

    private sealed class Member(ContainerSlot slot)
    {
        public ContainerSlot Slot { get; } = slot;

        public int Running { get; set; }

        public bool Removing { get; set; }

        public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
