using System.Collections.Concurrent;

namespace Pipeline.Consumers.Tests.Batching;

/// <summary>
/// Batched functions as users write them. Keys are <c>run/item</c>: each test has its own run, and every batch a
/// method sees is recorded under it, in order.
/// </summary>
[App("batching")]
public static class BatchSamples
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<IReadOnlyList<string>>> Seen = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    /// <summary>The batches a method saw for <paramref name="run"/>, each as its keys, in the order they ran.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Batches(string run) => Seen.TryGetValue(run, out var batches) ? [.. batches] : [];

    /// <summary>Lets the gated batches of <paramref name="run"/> finish.</summary>
    public static void Open(string run) => Gates.GetOrAdd(run, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public static void Record(IEnumerable<string> keys)
    {
        var batch = keys.ToList();
        Seen.GetOrAdd(batch[0].Split('/')[0], _ => new()).Enqueue(batch);
    }

    public static Task Gate(string key) => Gates.GetOrAdd(key.Split('/')[0], _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Sync, two list arguments of different shapes; result i names input i.</summary>
    [Function, Batched(MaxBatchSize = 4, WaitMs = 100)]
    public static List<string> Label(List<string> keys, int[] values)
    {
        Record(keys);
        return [.. keys.Select((key, i) => $"{key}={values[i] * 10}")];
    }

    [Function, Batched(MaxBatchSize = 4, WaitMs = 100), Retries(2, InitialDelaySeconds = 1, BackoffCoefficient = 2)]
    public static async Task<string[]> FailAsync(IReadOnlyList<string> keys)
    {
        Record(keys);
        await Task.Yield();
        throw new InvalidOperationException($"a batch of {keys.Count} fails on purpose");
    }

    /// <summary>Returns one result too few.</summary>
    [Function, Batched(MaxBatchSize = 4, WaitMs = 100)]
    public static IList<string> TooFew(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        Record(list);
        return [.. list.Skip(1)];
    }

    /// <summary>Runs until its run's gate opens; WaitMs 0, so an input runs as soon as no batch does.</summary>
    [Function, Batched(MaxBatchSize = 2, WaitMs = 0)]
    public static async ValueTask<List<string>> GatedAsync(List<string> keys, CancellationToken cancellationToken)
    {
        Record(keys);
        await Gate(keys[0]).WaitAsync(cancellationToken);
        return keys;
    }
}
