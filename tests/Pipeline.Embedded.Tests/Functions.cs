namespace Pipeline.Embedded.Tests;

[App("embedded")]
public static class Functions
{
    [Function]
    public static int Square(int x) => x * x;

    [Function(Gpu = "H100:2")]
    public static int OnGpu(int x) => x + 1;

    [Function]
    public static async Task<int> SlowSquareAsync(int x, CancellationToken cancellationToken)
    {
        // Later inputs finish first, so ordered map output is not an accident of timing.
        await Task.Delay(TimeSpan.FromMilliseconds((20 - x) * 5), cancellationToken);
        return x * x;
    }

    [Function]
    public static void Crash(string message) => Thrower.Throw(message);

    /// <summary>Odd inputs fail: for maps that return errors in place.</summary>
    [Function]
    public static int EvenOnly(int x) => x % 2 == 0 ? x : throw new ArgumentException($"{x} is odd");

    [Function]
    public static string Record(string run, string entry)
    {
        Events.Add(run, entry);
        return entry;
    }

    /// <summary>Fails the first <paramref name="failures"/> runs for <paramref name="run"/>; 0 s delay between retries.</summary>
    [Function, Retries(2, InitialDelaySeconds = 0, MaxDelaySeconds = 1)]
    public static int FailsThenCounts(string run, int failures)
    {
        Events.Add(run, "run");
        var runs = Events.Of(run).Count;
        return runs <= failures ? throw new InvalidOperationException($"run {runs} fails") : runs;
    }

    /// <summary>Waits until cancelled, recording that it saw the cancel.</summary>
    [Function(Timeout = "00:01:00"), Retries(3)]
    public static async Task<int> WaitForCancelAsync(string run, CancellationToken cancellationToken)
    {
        Events.Add(run, "start");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Events.Add(run, "cancelled");
            throw;
        }

        return 0;
    }
}
