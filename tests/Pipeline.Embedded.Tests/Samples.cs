using System.Collections.Concurrent;

namespace Pipeline.Embedded.Tests;

/// <summary>What the sample apps did, keyed by a per-test run id so parallel tests do not mix.</summary>
public static class Events
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Runs = new();

    public static void Add(string run, string entry) => Runs.GetOrAdd(run, _ => new()).Enqueue(entry);

    public static IReadOnlyList<string> Of(string run) => Runs.TryGetValue(run, out var entries) ? entries.ToList() : [];
}
