using System.Diagnostics;

namespace Pipeline.Bench.App;

/// <summary>
/// What every subject's consumer calls once per message (the Pipeline function, the MassTransit consumer, the raw
/// client's handler): counts, and completes when the armed count is reached. With <c>captureCost</c> it also reads
/// the process's allocated bytes and CPU time at the first and the last message, so a drain measures only consuming.
/// </summary>
public static class Probe
{
    private static long _count;
    private static long _target = long.MaxValue;
    private static TaskCompletionSource<CostWindow> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static bool _captureCost;
    private static CostPoint _first;

    public static long Count => Interlocked.Read(ref _count);

    /// <summary>Resets the count; the task completes when <paramref name="target"/> messages have been seen.</summary>
    public static Task<CostWindow> Arm(long target, bool captureCost = false)
    {
        _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _captureCost = captureCost;
        Interlocked.Exchange(ref _target, target);
        Interlocked.Exchange(ref _count, 0);
        return _done.Task;
    }

    public static void Hit()
    {
        var n = Interlocked.Increment(ref _count);
        if (_captureCost && n == 1)
        {
            _first = CostPoint.Now();
        }

        if (n == Interlocked.Read(ref _target))
        {
            var last = _captureCost ? CostPoint.Now() : default;
            _done.TrySetResult(new CostWindow(_first, last, n - 1));
        }
    }
}

/// <summary>Process-wide counters at one moment.</summary>
public readonly record struct CostPoint(long Timestamp, long AllocatedBytes, TimeSpan Cpu, int Gen0)
{
    public static CostPoint Now()
    {
        using var process = Process.GetCurrentProcess();
        return new(Stopwatch.GetTimestamp(), GC.GetTotalAllocatedBytes(precise: false), process.TotalProcessorTime, GC.CollectionCount(0));
    }
}

/// <summary>The counters between the first and the last message: <see cref="Messages"/> messages were handled in between.</summary>
public readonly record struct CostWindow(CostPoint First, CostPoint Last, long Messages)
{
    public double BytesPerMessage => (double)(Last.AllocatedBytes - First.AllocatedBytes) / Messages;

    public double CpuMicrosecondsPerMessage => (Last.Cpu - First.Cpu).TotalMicroseconds / Messages;

    public double Seconds => Stopwatch.GetElapsedTime(First.Timestamp, Last.Timestamp).TotalSeconds;
}
