using Pipeline.Consumers.Lifecycle;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// One container of a pool on this host: the container, the slot (CPU or GPUs) it holds and its lease across hosts. A
/// process pool's container is also its own child process (<see cref="Process"/>), which consumes the queue itself.
/// </summary>
internal sealed class PoolContainer(ContainerSlot slot, SlotLease slotLease, IPoolLease lease)
{
    private int _stopping;

    public ContainerSlot Slot { get; } = slot;

    public SlotLease SlotLease { get; } = slotLease;

    public IPoolLease Lease { get; } = lease;

    public CancellationTokenRegistration LostRegistration { get; set; }

    /// <summary>The child process running this container (a process pool), or null for a container in this process.</summary>
    public IPoolEndpoint? Process { get; set; }

    /// <summary>Stops this container (only) when its child process exits unasked.</summary>
    public CancellationTokenRegistration ProcessLostRegistration { get; set; }

    /// <summary>Claims the stop: true for the first caller only.</summary>
    public bool BeginStop() => Interlocked.Exchange(ref _stopping, 1) == 0;
}
