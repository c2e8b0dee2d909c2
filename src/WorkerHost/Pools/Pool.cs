using Pipeline.Consumers.Lifecycle;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Pools;

/// <summary>A pool served by this host: its container, the consumer of its queue, and what it holds.</summary>
internal sealed class Pool(PoolPlan plan, ContainerSlot slot, SlotLease slotLease, IPoolLease? lease)
{
    public PoolPlan Plan { get; } = plan;

    public string Queue => Plan.Queue;

    public ContainerSlot Slot { get; } = slot;

    public SlotLease SlotLease { get; } = slotLease;

    public IPoolLease? Lease { get; } = lease;

    public IPoolEndpoint? Endpoint { get; set; }

    public CancellationTokenRegistration LostRegistration { get; set; }

    public CancellationTokenRegistration EndpointLostRegistration { get; set; }
}
