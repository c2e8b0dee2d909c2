using System.Collections.Concurrent;

namespace Pipeline.Consumers.Tests.Lifecycle;

/// <summary>Records what sample hooks did, per container run id, so tests running in parallel do not mix.</summary>
public static class HookLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Runs = new();

    public static void Add(string run, string entry) => Runs.GetOrAdd(run, _ => new()).Enqueue(entry);

    public static IReadOnlyList<string> Of(string run) => Runs.TryGetValue(run, out var entries) ? entries.ToList() : [];
}
