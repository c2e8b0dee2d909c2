using System.Diagnostics;

namespace Pipeline.Bench.Measuring;

/// <summary>With <c>--verbose</c>: prints the thread pool's size and queue twice a second from a thread of its own, so a starved pool shows.</summary>
internal sealed class ThreadPoolMonitor : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stopped;

    public ThreadPoolMonitor()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "bench-threadpool-monitor" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }

    private void Run()
    {
        var started = Stopwatch.GetTimestamp();
        while (!_stopped)
        {
            Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started).TotalSeconds,6:0.0}s] {DateTime.Now:HH:mm:ss.fff} threads {ThreadPool.ThreadCount}, queued {ThreadPool.PendingWorkItemCount}, completed {ThreadPool.CompletedWorkItemCount}");
            Thread.Sleep(500);
        }
    }
}
