using System.Globalization;

namespace Pipeline.IntegrationTests.App;

/// <summary>
/// Batched functions for the batching tests. Each batch writes one <c>kind</c> event:
/// <c>size#startUnixMs#tag:item,tag:item,...</c>, so a test sees every batch's size, start and inputs from outside.
/// </summary>
public static class Batching
{
    /// <summary>Squares each item; a lone input waits 500 ms for company.</summary>
    [Function, Batched(MaxBatchSize = 32, WaitMs = 500)]
    public static List<int> Square(List<string> tags, List<int> items)
    {
        Record("square", tags, items);
        return [.. items.Select(x => x * x)];
    }

    /// <summary>Fails any batch holding an item that has not failed before; retried at once.</summary>
    [Function, Batched(MaxBatchSize = 8, WaitMs = 300), Retries(3, InitialDelaySeconds = 0, MaxDelaySeconds = 1)]
    public static async Task<string[]> FailFirstAsync(string[] tags, int[] items)
    {
        await Task.Yield();
        var keys = tags.Zip(items, (tag, item) => $"{tag}:{item.ToString(CultureInfo.InvariantCulture)}").ToList();
        if (keys.Any(k => Events.Count("fail-first-item", k) == 0))
        {
            keys.ForEach(k => Events.Write("fail-first-item", k));
            Record("fail-first-failed", tags, items);
            throw new InvalidOperationException($"a batch of {keys.Count} fails on purpose");
        }

        Record("fail-first-ok", tags, items);
        return [.. keys];
    }

    [Function, Batched(MaxBatchSize = 4, WaitMs = 2000)]
    public static List<string> FailEveryBatch(List<string> tags, List<int> items)
    {
        Record("fail-every-batch", tags, items);
        throw new InvalidOperationException($"a batch of {items.Count} fails on purpose");
    }

    internal static void Record(string kind, IReadOnlyList<string> tags, IReadOnlyList<int> items)
    {
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var inputs = string.Join(",", tags.Zip(items, (tag, item) => $"{tag}:{item.ToString(CultureInfo.InvariantCulture)}"));
        Events.Write(kind, $"{items.Count.ToString(CultureInfo.InvariantCulture)}#{started}#{inputs}");
    }
}
