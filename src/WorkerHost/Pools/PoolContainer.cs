using Pipeline.Consumers.Lifecycle;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Pools;

/// <summary>One container of a pool on this host: the container, the slot (CPU or GPUs) it holds and its lease across hosts.</summary>
internal sealed class PoolContainer(ContainerSlot slot, SlotLease slotLease, IPoolLease lease)
{
    private int _stopping;

    public ContainerSlot Slot { get; } = slot;

    public SlotLease SlotLease { get; } = slotLease;

    public IPoolLease Lease { get; } = lease;

    public CancellationTokenRegistration LostRegistration { get; set; }

    /// <summary>Claims the stop: true for the first caller only.</summary>
    public bool BeginStop() => Interlocked.Exchange(ref _stopping, 1) == 0;
}
