using System.Diagnostics;

namespace Pipeline.Bench.Batching;

/// <summary>
/// A simulated accelerator, as a GPU is to a model: one call at a time, each costing a fixed overhead (kernel launch,
/// transfer) plus a small cost per item. Sleeps the whole milliseconds and spins the rest, so a 2.05 ms call is not
/// rounded to 3 ms. Counts what it did, so the report shows the batches that really ran.
/// </summary>
public static class Device
{
    public static readonly TimeSpan Overhead = TimeSpan.FromMilliseconds(2);
    public static readonly TimeSpan PerItem = TimeSpan.FromMilliseconds(0.05);

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static long _calls;
    private static long _items;
    private static long _busyTicks;

    public static (long Calls, long Items, TimeSpan Busy) Totals =>
        (Interlocked.Read(ref _calls), Interlocked.Read(ref _items), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _busyTicks)));

    public static async Task RunAsync(int items)
    {
        await Gate.WaitAsync();
        var started = Stopwatch.GetTimestamp();
        try
        {
            var cost = Overhead + (PerItem * items);
            var whole = (int)Math.Floor(cost.TotalMilliseconds) - 1;
            if (whole > 0)
            {
                Thread.Sleep(whole);
            }

            while (Stopwatch.GetElapsedTime(started) < cost)
            {
                Thread.SpinWait(50);
            }
        }
        finally
        {
            Interlocked.Add(ref _busyTicks, Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref _calls);
            Interlocked.Add(ref _items, items);
            Gate.Release();
        }
    }
}
