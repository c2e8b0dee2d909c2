namespace Pipeline.IntegrationTests.App;

/// <summary>Functions for the autoscaler's tests: input concurrency in one container, and warm containers.</summary>
public static class Scaling
{
    /// <summary>
    /// Eight inputs at once in one container: writes <c>overlap-start|tag/container</c>, then waits for the gate named
    /// <paramref name="tag"/>, so every input is in flight until the test has seen them all start.
    /// </summary>
    [Function(Timeout = "00:02:00"), Concurrent(MaxInputs = 8)]
    public static async Task<Reply> OverlapAsync(string tag, int index, CancellationToken cancellationToken)
    {
        Events.Write("overlap-start", $"{tag}/{ContainerContext.Current!.ContainerId}");
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!File.Exists(Events.Gate(tag)))
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }

        return Work.Here($"{tag}-{index}");
    }

    /// <summary>A CPU function the hosts keep two containers of, across all of them, without traffic.</summary>
    [Function(MinContainers = 2, ScaledownWindow = "00:00:02")]
    public static Reply Warm(string tag) => Work.Here(tag);
}
