namespace Pipeline.WorkerHost.Slots;

/// <summary>
/// The places this host can run containers: a number of CPU slots for containers without a GPU requirement, and its
/// GPUs, each lent to one container at a time. Thread-safe.
/// </summary>
internal sealed class SlotInventory
{
    private readonly Lock _lock = new();

    // Indexed like Gpus (ascending device index), so scanning in order takes the lowest indices first.
    private readonly bool[] _gpuInUse;

    // By reference: a lease is released once, and a copy or another inventory's lease frees nothing.
    private readonly HashSet<SlotLease> _outstanding = new(ReferenceEqualityComparer.Instance);

    private int _freeCpuSlots;

    /// <summary>Creates an inventory of <paramref name="cpuSlots"/> CPU slots and the given GPUs, all free.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cpuSlots"/> is negative.</exception>
    /// <exception cref="ArgumentException">Two GPUs share an index.</exception>
    public SlotInventory(int cpuSlots, IReadOnlyList<GpuDevice> gpus)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpuSlots);
        ArgumentNullException.ThrowIfNull(gpus);

        GpuDevice[] sorted = [.. gpus.OrderBy(g => g.Index)];
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Index == sorted[i - 1].Index)
            {
                throw new ArgumentException($"Two GPUs have index {sorted[i].Index}; each GPU is lent on its own.", nameof(gpus));
            }
        }

        CpuSlots = cpuSlots;
        _freeCpuSlots = cpuSlots;
        Gpus = sorted;
        _gpuInUse = new bool[sorted.Length];
    }

    /// <summary>All CPU slots, free or not.</summary>
    public int CpuSlots { get; }

    /// <summary>All GPUs, free or not, in index order.</summary>
    public IReadOnlyList<GpuDevice> Gpus { get; }

    /// <summary>CPU slots not lent now.</summary>
    public int FreeCpuSlots
    {
        get
        {
            lock (_lock)
            {
                return _freeCpuSlots;
            }
        }
    }

    /// <summary>Indices of the GPUs not lent now, ascending (a snapshot).</summary>
    public IReadOnlyList<int> FreeGpuIndices
    {
        get
        {
            lock (_lock)
            {
                return [.. Gpus.Where((_, i) => !_gpuInUse[i]).Select(g => g.Index)];
            }
        }
    }

    /// <summary>
    /// Lends a place for one container: a CPU slot when <paramref name="requirement"/> is null, otherwise the GPUs of the
    /// first option, in rank order, that free GPUs fit (lowest indices first). Returns null when nothing fits now;
    /// it never takes part of a requirement.
    /// </summary>
    public SlotLease? TryAcquire(GpuRequirement? requirement)
    {
        lock (_lock)
        {
            if (requirement is null)
            {
                if (_freeCpuSlots == 0)
                {
                    return null;
                }

                _freeCpuSlots--;
                return Lend(new SlotLease([], null));
            }

            foreach (var option in requirement.Options)
            {
                var positions = FindGpus(option, free: true);
                if (positions is null)
                {
                    continue;
                }

                foreach (var position in positions)
                {
                    _gpuInUse[position] = true;
                }

                return Lend(new SlotLease([.. positions.Select(p => Gpus[p].Index)], option));
            }

            return null;
        }
    }

    /// <summary>
    /// Gives back what <paramref name="lease"/> holds. Returns false, freeing nothing, when it was already released or
    /// came from elsewhere, so a second release cannot free a slot lent since to someone else.
    /// </summary>
    public bool Release(SlotLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_lock)
        {
            if (!_outstanding.Remove(lease))
            {
                return false;
            }

            if (!lease.IsGpu)
            {
                _freeCpuSlots++;
                return true;
            }

            foreach (var index in lease.GpuIndices)
            {
                _gpuInUse[PositionOf(index)] = false;
            }

            return true;
        }
    }

    /// <summary>
    /// Whether this host could serve <paramref name="requirement"/> with everything free: a CPU slot exists, or some
    /// option's count of matching GPUs exists. A host skips pools for which this is false.
    /// </summary>
    public bool CouldEverSatisfy(GpuRequirement? requirement)
    {
        if (requirement is null)
        {
            return CpuSlots > 0;
        }

        // Only immutable state is read, so no lock.
        return requirement.Options.Any(option => FindGpus(option, free: false) is not null);
    }

    /// <summary>
    /// How many containers with <paramref name="requirement"/> this host could run at once with everything free: its CPU
    /// slots, or for GPUs the most that any one option fits (four 1-GPU containers on four GPUs, one 4-GPU container).
    /// </summary>
    public int MostContainers(GpuRequirement? requirement) => requirement is null
        ? CpuSlots
        : requirement.Options.Select(option => Gpus.Count(option.Matches) / Math.Max(1, option.Count)).DefaultIfEmpty(0).Max();

    private SlotLease Lend(SlotLease lease)
    {
        _outstanding.Add(lease);
        return lease;
    }

    /// <summary>Positions in <see cref="Gpus"/> of the first <c>Count</c> matching GPUs (free ones only if asked), or null.</summary>
    private List<int>? FindGpus(GpuOption option, bool free)
    {
        var positions = new List<int>(option.Count);
        for (var i = 0; i < Gpus.Count && positions.Count < option.Count; i++)
        {
            if ((!free || !_gpuInUse[i]) && option.Matches(Gpus[i]))
            {
                positions.Add(i);
            }
        }

        return positions.Count == option.Count ? positions : null;
    }

    private int PositionOf(int gpuIndex)
    {
        for (var i = 0; i < Gpus.Count; i++)
        {
            if (Gpus[i].Index == gpuIndex)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"GPU {gpuIndex} is not in this inventory.");
    }
}
