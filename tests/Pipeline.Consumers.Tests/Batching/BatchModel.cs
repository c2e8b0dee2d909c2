namespace Pipeline.Consumers.Tests.Batching;

/// <summary>A class with a batched method and a plain one: both share the container's instance.</summary>
[App("batching"), Cls]
public sealed class BatchModel
{
    private static int _instances;
    private readonly int _instance = Interlocked.Increment(ref _instances);

    /// <summary>Records its batch, waits for its run's gate, and answers with the instance it ran on.</summary>
    [Method, Batched(MaxBatchSize = 3, WaitMs = 50)]
    public async Task<List<string>> EmbedAsync(List<string> keys)
    {
        BatchSamples.Record(keys);
        await BatchSamples.Gate(keys[0]);
        BatchSamples.Record([keys[0].Split('/')[0] + "/embed-end"]);
        return [.. keys.Select(k => $"{k}@{_instance}")];
    }

    [Method]
    public string Plain(string key)
    {
        BatchSamples.Record([key]);
        return $"{key}@{_instance}";
    }
}
