namespace Pipeline.IntegrationTests.App;

/// <summary>
/// A function that counts its own concurrent executions in this process, for the tests of admission beyond the pool's
/// concurrency: the host takes more inputs than it runs, and user code must never run more than the pool's concurrency.
/// One container across hosts, so what one container runs is all that runs.
/// </summary>
public static class Admission
{
    private static int _running;

    /// <summary>
    /// Writes <c>counted-start|tag-index/running</c> (how many run in this process now, this one included), waits for the
    /// gate named <paramref name="tag"/>, then writes <c>counted-end|tag-index</c>.
    /// </summary>
    [Function(Timeout = "00:02:00", MaxContainers = 1)]
    public static async Task<Reply> CountedAsync(string tag, int index, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        try
        {
            Events.Write("counted-start", $"{tag}-{index}/{running}");
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!File.Exists(Events.Gate(tag)))
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }

            Events.Write("counted-end", $"{tag}-{index}");
            return Work.Here($"{tag}-{index}");
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
