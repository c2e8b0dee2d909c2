using System.Diagnostics;

namespace Pipeline.Bench.App;

/// <summary>
/// Scenario 5's process-container pool: the same work as <see cref="ColdModel"/>, but each new key is a new pool whose
/// container is a child process of the worker host (the bench's own executable started again in single-container
/// mode). Enter runs in the child, so the first call's answer carries enter's time and the child's process id; the
/// bench subtracts the one and reads the child's memory through the other.
/// </summary>
[Cls(ScaledownWindow = "00:00:05", Isolation = ContainerIsolation.Process)]
public sealed class ProcessColdModel
{
    private double _enterMilliseconds;

    /// <summary>The parameter: every new key is a new pool.</summary>
    [Parameter]
    public required string Key { get; init; }

    [Enter]
    public void Load()
    {
        var started = Stopwatch.GetTimestamp();
        _enterMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>Enter's time and the process this container runs in.</summary>
    [Method]
    public ColdAnswer Ping() => new(_enterMilliseconds, Environment.ProcessId);
}
