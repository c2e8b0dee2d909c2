using System.Globalization;

namespace Pipeline.Embedded.Tests;

/// <summary>A batched function: each batch adds <c>size:item,item,...</c> to its run's events.</summary>
[App("embedded")]
public static class Batched
{
    [Function, Batched(MaxBatchSize = 8, WaitMs = 50)]
    public static List<int> BatchedTriple(List<string> runs, List<int> items)
    {
        Events.Add(runs[0], $"{items.Count.ToString(CultureInfo.InvariantCulture)}:{string.Join(",", items)}");
        return [.. items.Select(x => x * 3)];
    }
}
