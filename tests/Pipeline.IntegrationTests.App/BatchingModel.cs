namespace Pipeline.IntegrationTests.App;

/// <summary>
/// A class whose batched method and plain method share one container (and one enter). At most one container, so the
/// sharing shows: under backlog the autoscaler would otherwise add containers, each with its own enter.
/// </summary>
[Cls(MaxContainers = 1)]
public sealed class BatchingModel
{
    [Parameter] public required string Name { get; init; }

    [Enter]
    public void Load() => Events.Write("batching-enter", Name);

    [Method, Batched(MaxBatchSize = 8, WaitMs = 200)]
    public List<string> Embed(List<string> tags, List<int> items)
    {
        Batching.Record("embed-batch", tags, items);
        return [.. items.Select(i => $"{Name}:{i}:{Environment.ProcessId}")];
    }

    [Method]
    public string Describe() => $"{Name}:{Environment.ProcessId}";
}
