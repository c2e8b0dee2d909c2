using System.Globalization;

namespace Pipeline.IntegrationTests.App;

/// <summary>Functions that fail on purpose, to test retries, dead letters and cancellation across processes.</summary>
public static class Retrying
{
    /// <summary>Fails until it has run <paramref name="failures"/> times for <paramref name="tag"/>, counted across processes.</summary>
    [Function, Retries(3, BackoffCoefficient = 2, InitialDelaySeconds = 1, MaxDelaySeconds = 60)]
    public static Reply Flaky(string tag, int failures) => Run("flaky", tag, failures);

    /// <summary>
    /// Like <see cref="Flaky"/>, with a 10 s delay before its one retry: long enough to kill the host meanwhile on a
    /// loaded machine (with 3 s, a CI run killed the host only after it had taken the retry back itself).
    /// </summary>
    [Function, Retries(1, InitialDelaySeconds = 10, MaxDelaySeconds = 10)]
    public static Reply SlowRetry(string tag, int failures) => Run("slow-retry", tag, failures);

    [Function, Retries(1)]
    public static Reply NeverSucceeds(string tag)
    {
        Events.Write("never-succeeds", tag);
        throw new InvalidOperationException($"{tag} fails on purpose");
    }

    /// <summary>Runs until cancelled or its gate opens; retried if it failed, so a cancel that counted as a failure would show.</summary>
    [Function(Timeout = "00:02:00"), Retries(3)]
    public static async Task<Reply> CancellableAsync(string tag, CancellationToken cancellationToken)
    {
        Events.Write("cancellable-start", tag);
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!File.Exists(Events.Gate(tag)))
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            Events.Write("cancellable-cancelled", tag);
            throw;
        }

        return Work.Here(tag);
    }

    private static Reply Run(string kind, string tag, int failures)
    {
        var run = Events.Count(kind, tag) + 1;
        Events.Write(kind, tag);
        Events.Write(kind + "-at", $"{tag}@{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}");
        return run <= failures ? throw new InvalidOperationException($"run {run} of {tag} fails on purpose") : Work.Here(tag);
    }
}
