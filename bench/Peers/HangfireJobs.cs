using System.Diagnostics;

namespace Pipeline.Bench.Peers;

/// <summary>
/// The peer's job: a no-op that returns a value (Hangfire keeps it in the job's Succeeded state, as Pipeline keeps a
/// spawn's result) and tells the bench when it started. Public and static because Hangfire runs jobs by their
/// serialized method; that is Hangfire's own model and only the bench's peer uses it.
/// </summary>
public static class HangfireJobs
{
    private static long _started;
    private static long _target = long.MaxValue;
    private static TaskCompletionSource<long> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Resets the count; the task completes, with the Stopwatch timestamp, when <paramref name="target"/> jobs started.</summary>
    public static Task<long> Arm(long target)
    {
        _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _target, target);
        Interlocked.Exchange(ref _started, 0);
        return _reached.Task;
    }

    /// <summary>The job.</summary>
    /// <param name="payload">A small argument, as Pipeline's no-op gets none: kept to make the serialized job realistic.</param>
    public static int Noop(int payload)
    {
        if (Interlocked.Increment(ref _started) == Interlocked.Read(ref _target))
        {
            _reached.TrySetResult(Stopwatch.GetTimestamp());
        }

        return payload;
    }
}
