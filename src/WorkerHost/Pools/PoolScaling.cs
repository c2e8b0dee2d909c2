namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// The autoscaler's arithmetic for one pool on one host (Modal's: a container per <c>TargetInputs</c> of work, plus
/// <c>BufferContainers</c> while busy; warm containers are the <c>MinContainers</c> lowest lease slots across hosts).
/// Pure, so the planner is tested without a broker.
/// </summary>
internal static class PoolScaling
{
    /// <summary>
    /// How many containers this host wants for the pool now: one per <paramref name="target"/> inputs of work (running
    /// and waiting here, plus ready in the queue), plus <paramref name="buffer"/> idle ones while there is any work;
    /// at most <paramref name="capacity"/> (what the host could run) and <paramref name="max"/> (0: no limit).
    /// </summary>
    public static int Wanted(int inFlight, int waiting, long ready, int target, int buffer, int capacity, int max)
    {
        var work = Math.Max(0, inFlight) + Math.Max(0, waiting) + Math.Max(0L, ready);
        if (work == 0)
        {
            return 0;
        }

        var perContainer = Math.Max(1, target);
        var wanted = (work + perContainer - 1) / perContainer + Math.Max(0, buffer);
        var limit = max > 0 ? Math.Min(capacity, max) : capacity;
        return (int)Math.Min(wanted, Math.Max(0, limit));
    }

    /// <summary>
    /// Which idle containers to stop: those past their scale-down window that are not warm (lease slot below
    /// <paramref name="min"/>), keeping <paramref name="buffer"/> idle ones while the pool still has work here.
    /// </summary>
    /// <param name="idle">The idle containers: their lease slot (null without one) and how long they have been idle.</param>
    /// <param name="window">The pool's scale-down window.</param>
    /// <param name="min">MinContainers across hosts.</param>
    /// <param name="buffer">BufferContainers.</param>
    /// <param name="busy">Whether the pool has inputs running or waiting here.</param>
    /// <returns>Indices into <paramref name="idle"/>; the most recently active candidates are the ones kept as buffer.</returns>
    public static IReadOnlyList<int> ToStop(IReadOnlyList<(int? Slot, TimeSpan IdleFor)> idle, TimeSpan window, int min, int buffer, bool busy)
    {
        ArgumentNullException.ThrowIfNull(idle);
        var keep = busy ? Math.Max(0, buffer) : 0;
        var candidates = idle
            .Select((c, i) => (c.Slot, c.IdleFor, Index: i))
            .Where(c => c.IdleFor >= window && !(c.Slot is { } slot && slot < min))
            .OrderBy(c => c.IdleFor)
            .ToList();

        // Idle containers that stay (warm, or inside their window) count toward the buffer first.
        var staying = idle.Count - candidates.Count;
        var spare = Math.Max(0, keep - staying);
        return [.. candidates.Skip(spare).Select(c => c.Index)];
    }

    /// <summary>
    /// Which container to stop so that a pool with backlog and no container here gets a slot: an idle, not warm
    /// container of the right kind, from the pool holding the most slots here (so a scaled pool gives back a container
    /// before a pool with one loses its only one), the longest idle first. Null when none may go.
    /// </summary>
    public static int? ToEvict(IReadOnlyList<EvictionCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var chosen = candidates
            .Select((c, i) => (Candidate: c, Index: i))
            .Where(c => c.Candidate.Idle && c.Candidate.Fits && c.Candidate.LeaseSlot >= c.Candidate.Min)
            .OrderByDescending(c => c.Candidate.PoolSlots)
            .ThenByDescending(c => c.Candidate.IdleFor)
            .Select(c => (int?)c.Index)
            .FirstOrDefault();
        return chosen;
    }

    /// <summary>
    /// Whether a container has nothing to do, so that scale-down or another pool may take it: none of its inputs runs,
    /// and, for a container fed by the pool's consumer here, none of the pool's inputs here waits for a container (it
    /// would take one at once; stopping the pool's last container then would hand every waiting input back to the
    /// queue, with no container left here to take them). A container with its own consumer (a process container's
    /// child) holds its waiting inputs itself.
    /// </summary>
    /// <param name="running">Inputs running on the container.</param>
    /// <param name="poolWaiting">Inputs of its pool that this host's consumer holds, waiting for a container.</param>
    /// <param name="ownConsumer">Whether the container consumes the queue itself.</param>
    public static bool IsIdle(int running, int poolWaiting, bool ownConsumer) => running == 0 && (ownConsumer || poolWaiting == 0);

    /// <summary>
    /// Whether a pool that has a container here may take a free slot for another one: not while another pool with
    /// backlog waits here for its first container of the same kind (GPU or CPU). Every pool with backlog gets one
    /// container before any pool grows a second.
    /// </summary>
    /// <param name="wantsGpu">Whether the growing pool's containers take GPUs.</param>
    /// <param name="waiting">The pools waiting here for a first container: whether each takes GPUs.</param>
    public static bool MayGrow(bool wantsGpu, IEnumerable<bool> waiting)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        return !waiting.Any(gpu => gpu == wantsGpu);
    }
}
