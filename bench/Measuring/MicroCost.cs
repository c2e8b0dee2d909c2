using System.Diagnostics;

namespace Pipeline.Bench.Measuring;

/// <summary>Bytes allocated and nanoseconds per call of one piece of work, alone on this thread (after a warm-up).</summary>
internal static class MicroCost
{
    public static (double Bytes, double Nanoseconds) Measure(Action action, int iterations = 20_000)
    {
        for (var i = 0; i < iterations / 10; i++)
        {
            action();
        }

        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            action();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return ((GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)iterations, elapsed.TotalNanoseconds / iterations);
    }
}
