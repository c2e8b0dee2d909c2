using System.Diagnostics;

namespace Pipeline.Bench.Measuring;

/// <summary>Latency samples in <see cref="Stopwatch"/> ticks; percentiles by nearest rank over the sorted samples.</summary>
internal sealed class Latencies
{
    private readonly long[] _sorted;

    public Latencies(IEnumerable<long> ticks)
    {
        _sorted = ticks.ToArray();
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    /// <summary>The samples, sorted.</summary>
    public IReadOnlyList<long> Ticks => _sorted;

    public double MeanMs => _sorted.Length == 0 ? double.NaN : ToMs((long)_sorted.Average());

    /// <summary>The <paramref name="percentile"/> (0-100) in milliseconds.</summary>
    public double Ms(double percentile)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * _sorted.Length) - 1;
        return ToMs(_sorted[Math.Clamp(rank, 0, _sorted.Length - 1)]);
    }

    public double MaxMs => _sorted.Length == 0 ? double.NaN : ToMs(_sorted[^1]);

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>Times <paramref name="count"/> calls one after another (a closed loop of one caller).</summary>
    public static async Task<Latencies> ClosedLoopAsync(int count, Func<Task> call)
    {
        var samples = new long[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call();
            samples[i] = Stopwatch.GetTimestamp() - started;
        }

        return new Latencies(samples);
    }
}
