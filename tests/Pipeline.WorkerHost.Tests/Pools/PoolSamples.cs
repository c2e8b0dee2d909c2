using System.Collections.Concurrent;

namespace Pipeline.WorkerHost.Tests.Pools;

/// <summary>What the sample containers did, per run id.</summary>
public static class PoolEvents
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Runs = new();

    public static void Add(string run, string entry) => Runs.GetOrAdd(run, _ => new()).Enqueue(entry);

    public static IReadOnlyList<string> Of(string run) => Runs.TryGetValue(run, out var entries) ? entries.ToList() : [];
}

[App("pools"), Cls(ScaledownWindow = "00:00:10")]
public sealed class Worker
{
    [Parameter] public required string Run { get; init; }

    [Parameter] public int Index { get; init; }

    [Enter]
    public void Load() => PoolEvents.Add(Run, $"enter {Index}");

    [Method]
    public int Work(int x) => x;

    [Exit]
    public void Unload() => PoolEvents.Add(Run, $"exit {Index}");
}

[App("pools"), Cls(MaxContainers = 1)]
public sealed class Solo
{
    [Parameter] public required string Run { get; init; }

    [Enter]
    public void Load() => PoolEvents.Add(Run, "enter solo");

    [Method]
    public int Work(int x) => x;

    [Exit]
    public void Unload() => PoolEvents.Add(Run, "exit solo");
}

[App("pools"), Cls(MinContainers = 1, ScaledownWindow = "00:00:02")]
public sealed class Warm
{
    [Parameter] public required string Run { get; init; }

    [Method]
    public int Work(int x) => x;
}

[App("pools")]
public static class PoolFunctions
{
    [Function(Gpu = "H100")]
    public static int OnGpu(int x) => x;

    [Function(MinContainers = 1)]
    public static int AlwaysOn(int x) => x;
}
