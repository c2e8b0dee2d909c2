using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pipeline.Bench.App;

/// <summary>
/// Scenario 5: a class whose every new key is a new pool; enter times itself so the bench can subtract it. Its key
/// comes in through the constructor (the <see cref="IColdModel"/> contract's record).
/// </summary>
[Cls(ScaledownWindow = "00:00:05")]
public sealed class ColdModel(ModelKey parameters) : IColdModel
{
    /// <summary>Milliseconds spent in enter, by key.</summary>
    public static ConcurrentDictionary<string, double> EnterMilliseconds { get; } = new(StringComparer.Ordinal);

    [Enter]
    public void Load()
    {
        var started = Stopwatch.GetTimestamp();
        EnterMilliseconds[parameters.Key] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <inheritdoc />
    public int Ping() => 0;
}
