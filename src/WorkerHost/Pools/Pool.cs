using MassTransit;
using Pipeline.Consumers.Lifecycle;

namespace Pipeline.WorkerHost.Pools;

/// <summary>A pool served by this host: its queue's consumer and the container it runs on.</summary>
internal sealed record Pool(string Queue, ContainerSlot Slot, HostReceiveEndpointHandle Endpoint);
