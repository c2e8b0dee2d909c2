using System.Collections.Concurrent;

namespace Pipeline.Consumers.Batching;

/// <summary>A container's batching state: one collector per batched method, and the turn its class instance runs by.</summary>
internal sealed class ContainerBatches
{
    public ConcurrentDictionary<string, BatchCollector> Collectors { get; } = new(StringComparer.Ordinal);

    public InstanceTurn Turn { get; } = new();
}
