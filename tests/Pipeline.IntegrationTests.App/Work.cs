using Pipeline.IntegrationTests.Contracts;

namespace Pipeline.IntegrationTests.App;

/// <summary>The plain functions most tests call; <see cref="IWork"/> is how callers see the first two.</summary>
[Implements(typeof(IWork))]
public static class Work
{
    [Function]
    public static Reply Echo(string tag)
    {
        Events.Write("echo", tag);
        return Here(tag);
    }

    [Function(Timeout = "00:01:00")]
    public static async Task<Reply> SlowAsync(string tag, int milliseconds, CancellationToken cancellationToken)
    {
        Events.Write("slow-start", tag);
        await Task.Delay(milliseconds, cancellationToken);
        Events.Write("slow-end", tag);
        return Here(tag);
    }

    /// <summary>Runs until the test opens the gate (a file named after the tag): the input is in flight for as long as a test needs.</summary>
    [Function(Timeout = "00:02:00")]
    public static async Task<Reply> GatedAsync(string tag, CancellationToken cancellationToken)
    {
        Events.Write("gated-start", tag);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!File.Exists(Events.Gate(tag)))
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }

        Events.Write("gated-end", tag);
        return Here(tag);
    }

    [Function(Gpu = "H100")]
    public static async Task<Reply> OnGpuAsync(string tag, int milliseconds, CancellationToken cancellationToken)
    {
        Events.Write("gpu-start", tag);
        await Task.Delay(milliseconds, cancellationToken);
        return Here(tag);
    }

    [Function(Gpu = "H100")]
    public static async Task<Reply> OnOtherGpuAsync(string tag, int milliseconds, CancellationToken cancellationToken)
    {
        Events.Write("gpu-start", tag);
        await Task.Delay(milliseconds, cancellationToken);
        return Here(tag);
    }

    [Function(Gpu = "H100:4")]
    public static Reply OnFourGpus(string tag) => Here(tag);

    internal static Reply Here(string tag) => new(tag, Environment.ProcessId, ContainerContext.Current?.GpuIndices.ToArray() ?? []);
}
