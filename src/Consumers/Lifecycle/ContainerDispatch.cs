namespace Pipeline.Consumers.Lifecycle;

/// <summary>
/// The containers of one pool on this host, and the inputs its consumer hands them: each input goes to the least busy
/// container with room (a container runs at most its <see cref="ContainerSlot.Concurrency"/> inputs at once), or waits,
/// first come first served, until one has room. A container being removed takes no new input. Thread-safe.
/// </summary>
internal sealed class ContainerDispatch(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ContainerSlot, Member> _members = new(ReferenceEqualityComparer.Instance);
    private readonly LinkedList<TaskCompletionSource<ContainerSlot>> _waiters = [];
    private int _inFlight;
    private long _lastActivityTicks = time.GetUtcNow().UtcTicks;

    /// <summary>Raised (outside any lock) when an input found no container with room: the pool may want another container.</summary>
    public event Action? Pressed;

    /// <summary>Inputs (messages) being handled now, whether running or waiting for a container.</summary>
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
        List<(TaskCompletionSource<ContainerSlot> Waiter, ContainerSlot Slot)> handed = [];
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

    /// <summary>Waits for a container with room and takes one of its turns; pair with <see cref="EndTurn"/>.</summary>
    public async Task<ContainerSlot> TakeTurnAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<ContainerSlot> waiter;
        LinkedListNode<TaskCompletionSource<ContainerSlot>> node;
        lock (_gate)
        {
            if (_waiters.Count == 0 && LeastBusy() is { } member)
            {
                member.Running++;
                member.Slot.BeginInput();
                return member.Slot;
            }

            waiter = new TaskCompletionSource<ContainerSlot>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        Pressed?.Invoke();
        using (cancellationToken.Register(() => Abandon(node)))
        {
            var slot = await waiter.Task.ConfigureAwait(false);
            slot.BeginInput();
            return slot;
        }
    }

    /// <summary>Gives back a turn of <paramref name="slot"/>: the next waiting input takes it, unless the container is being removed.</summary>
    public void EndTurn(ContainerSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        slot.EndInput();
        TaskCompletionSource<ContainerSlot>? next = null;
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

        if (next is not null && !next.TrySetResult(slot))
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

    private void Abandon(LinkedListNode<TaskCompletionSource<ContainerSlot>> node)
    {
        lock (_gate)
        {
            if (node.List is not null)
            {
                _waiters.Remove(node);
            }
        }

        node.Value.TrySetCanceled();
    }

    private void Hand(List<(TaskCompletionSource<ContainerSlot> Waiter, ContainerSlot Slot)> handed)
    {
        foreach (var (waiter, slot) in handed)
        {
            if (!waiter.TrySetResult(slot))
            {
                // Cancelled meanwhile: the turn goes to the next waiter, or back.
                EndTurnUnstarted(slot);
            }
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, time.GetUtcNow().UtcTicks);

    private sealed class Member(ContainerSlot slot)
    {
        public ContainerSlot Slot { get; } = slot;

        public int Running { get; set; }

        public bool Removing { get; set; }

        public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
