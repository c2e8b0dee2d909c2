using System.Diagnostics;

namespace Pipeline.Bench.Measuring;

/// <summary>
/// Calls at a fixed rate on a fixed timeline, whatever the replies do, and measures each call from its intended send
/// time: a stall makes every call scheduled during it late, as a real user's would be (no coordinated omission).
/// </summary>
internal static class OpenLoop
{
    public sealed record Result(Latencies Latencies, double TargetRate, double AchievedRate, int Failed);

    public static async Task<Result> RunAsync(double rate, TimeSpan duration, Func<Task> call, CancellationToken cancellationToken)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / rate;
        var samples = new long[count];
        var calls = new Task[count];
        var failed = 0;
        long lastDone = 0;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var intended = start + (long)(i * interval);
            while (true)
            {
                var early = intended - Stopwatch.GetTimestamp();
                if (early <= 0)
                {
                    break;
                }

                // Sleep while more than 2 ms early (the timer is ~1 ms on Linux), then yield until the moment comes.
                if (early > Stopwatch.Frequency / 500)
                {
                    await Task.Delay(1, cancellationToken);
                }
                else
                {
                    Thread.Yield();
                }
            }

            calls[i] = TimeAsync(i, intended);
        }

        await Task.WhenAll(calls);
        var seconds = Stopwatch.GetElapsedTime(start, Interlocked.Read(ref lastDone)).TotalSeconds;
        return new Result(new Latencies(samples), rate, count / seconds, failed);

        async Task TimeAsync(int index, long intended)
        {
            try
            {
                await call();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
            }

            var done = Stopwatch.GetTimestamp();
            samples[index] = done - intended;
            InterlockedMax(ref lastDone, done);
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
