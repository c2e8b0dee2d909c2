using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pipeline.Bench.App;

/// <summary>Scenario 5: a class whose every new key is a new pool; enter times itself so the bench can subtract it.</summary>
[Cls(ScaledownWindow = "00:00:05")]
public sealed class ColdModel
{
    /// <summary>Milliseconds spent in enter, by key.</summary>
    public static ConcurrentDictionary<string, double> EnterMilliseconds { get; } = new(StringComparer.Ordinal);

    [Parameter] public required string Key { get; init; }

    [Enter]
    public void Load()
    {
        var started = Stopwatch.GetTimestamp();
        EnterMilliseconds[Key] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    [Method]
    public int Ping() => 0;
}
