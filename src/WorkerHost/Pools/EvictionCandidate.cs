namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// A container of another pool that could make room for a pool with backlog and no container here.
/// </summary>
/// <param name="PoolSlots">Slots (CPU slots or GPUs) its pool holds on this host, all its containers together.</param>
/// <param name="LeaseSlot">Its lease slot across hosts; below <paramref name="Min"/> it is warm and never evicted.</param>
/// <param name="Min">Its pool's <c>MinContainers</c>.</param>
/// <param name="Idle">Whether it runs no input now.</param>
/// <param name="IdleFor">How long since its last input started or ended.</param>
/// <param name="Fits">Whether its slot is of the kind the waiting pool needs (a GPU for a GPU pool, a CPU slot otherwise).</param>
internal readonly record struct EvictionCandidate(int PoolSlots, int LeaseSlot, int Min, bool Idle, TimeSpan IdleFor, bool Fits);
