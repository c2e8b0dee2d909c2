namespace Pipeline.Bench.App;

/// <summary>The functions the scenarios call (<see cref="IJobs"/>): each does nothing but tell the probe it ran.</summary>
[Implements(typeof(IJobs))]
public static class Jobs
{
    /// <summary>The no-op of scenarios 1 to 3.</summary>
    [Function]
    public static void Noop() => Probe.Hit();

    /// <summary>The map of scenario 4: one input, its result.</summary>
    [Function]
    public static int Echo(int x) => x;

    /// <summary>The drain of scenario 7: its own pool, so nothing else consumes it while the queue fills.</summary>
    [Function]
    public static void Drain() => Probe.Hit();
}
