using Pipeline;

[assembly: App("bench-batching")]

namespace Pipeline.Bench.Batching;

/// <summary>The same model call, unbatched and batched: what a user would write before and after [Batched].</summary>
public static class Inference
{
    public const int MaxBatchSize = 32;
    public const int WaitMs = 50;

    [Function]
    public static async Task<int> ScoreAsync(int x)
    {
        await Device.RunAsync(1);
        return x * 2;
    }

    [Function, Batched(MaxBatchSize = MaxBatchSize, WaitMs = WaitMs)]
    public static async Task<List<int>> ScoreBatchAsync(List<int> xs)
    {
        await Device.RunAsync(xs.Count);
        return [.. xs.Select(x => x * 2)];
    }
}
