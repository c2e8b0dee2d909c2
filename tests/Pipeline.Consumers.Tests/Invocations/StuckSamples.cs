using System.Collections.Concurrent;

namespace Pipeline.Consumers.Tests.Invocations;

/// <summary>
/// Functions that run past their 5 s timeout and ignore their token: each blocks on its test's gate (bounded, so a
/// failing test never leaves a thread blocked for good) until the test opens it.
/// </summary>
[App("stuck")]
public static class StuckSamples
{
    private static readonly ConcurrentDictionary<string, ManualResetEventSlim> Gates = new();
    private static readonly ConcurrentDictionary<string, bool> Returned = new();

    /// <summary>The gate <paramref name="key"/>'s functions wait on; dispose it to let them return.</summary>
    public static IDisposable Gate(string key) => new Opener(key, Gates.GetOrAdd(key, _ => new ManualResetEventSlim()));

    /// <summary>Whether a function waiting on <paramref name="key"/> has returned.</summary>
    public static bool HasReturned(string key) => Returned.ContainsKey(key);

    /// <summary>Blocks its thread: a synchronous function ignores any deadline.</summary>
    [Function(Timeout = "00:00:05")]
    public static string Block(string key)
    {
        Wait(key);
        return "late";
    }

    /// <summary>Async, but blocks before its first await and never looks at its token.</summary>
    [Function(Timeout = "00:00:05")]
    public static async Task<string> BlockThenAwaitAsync(string key, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        Wait(key);
        await Task.Yield();
        return "late";
    }

    /// <summary>Truly asynchronous, and ignores its token.</summary>
    [Function(Timeout = "00:00:05")]
    public static async Task<string> IgnoreTokenAsync(string key, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        await Task.Run(() => Wait(key), CancellationToken.None);
        return "late";
    }

    private static void Wait(string key)
    {
        Gates.GetOrAdd(key, _ => new ManualResetEventSlim()).Wait(TimeSpan.FromMinutes(2));
        Returned[key] = true;
    }

    private sealed class Opener(string key, ManualResetEventSlim gate) : IDisposable
    {
        public void Dispose()
        {
            gate.Set();
            Gates.TryRemove(key, out _);
        }
    }
}
