using Pipeline.Consumers.Discovery;
using Pipeline.Results;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// The scaling settings set at run time (<c>pipeline pools scale</c>), as the reconciler last read them; each replaces
/// the app's <c>MinContainers</c>, <c>MaxContainers</c> and <c>BufferContainers</c> for its pool. Thread-safe.
/// </summary>
internal sealed class PoolScaleOverrides
{
    private volatile IReadOnlyDictionary<string, StoredPoolScale> _current = new Dictionary<string, StoredPoolScale>(StringComparer.Ordinal);

    /// <summary>Every override now, by pool queue.</summary>
    public IReadOnlyDictionary<string, StoredPoolScale> Current => _current;

    /// <summary>Replaces every override (what the store holds now).</summary>
    public void Replace(IReadOnlyDictionary<string, StoredPoolScale> overrides) => _current = overrides;

    /// <summary>The settings in effect for a pool: each field of its override, else of its attributes.</summary>
    public PoolScale For(string queue, ContainerSettings settings) =>
        _current.TryGetValue(queue, out var stored)
            ? new PoolScale(stored.Min ?? settings.MinContainers, stored.Max ?? settings.MaxContainers, stored.Buffer ?? settings.BufferContainers)
            : new PoolScale(settings.MinContainers, settings.MaxContainers, settings.BufferContainers);
}
