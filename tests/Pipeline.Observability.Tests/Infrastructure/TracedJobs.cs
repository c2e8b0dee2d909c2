using System.Collections.Concurrent;

namespace Pipeline.Observability.Tests.Infrastructure;

/// <summary>The functions the in-process worker host serves: they fail a given number of times per tag, then succeed.</summary>
[App("traced")]
public static class TracedJobs
{
    private static readonly ConcurrentDictionary<string, int> Runs = new(StringComparer.Ordinal);

    /// <summary>Retried at once: the next attempt is sent from inside the failed one.</summary>
    [Function, Retries(2, InitialDelaySeconds = 0)]
    public static string Flaky(string tag, int failures) => Run(tag, failures);

    /// <summary>Retried after a second: the next attempt is a job in PostgreSQL, sent by the retry server.</summary>
    [Function, Retries(1, InitialDelaySeconds = 1, MaxDelaySeconds = 1)]
    public static string Delayed(string tag, int failures) => Run(tag, failures);

    private static string Run(string tag, int failures)
    {
        var run = Runs.AddOrUpdate(tag, 1, (_, n) => n + 1);
        return run <= failures ? throw new InvalidOperationException($"run {run} of {tag} fails on purpose") : $"{tag} ok after {run}";
    }
}
