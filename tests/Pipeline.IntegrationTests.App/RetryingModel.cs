namespace Pipeline.IntegrationTests.App;

/// <summary>A class (one input at a time) with a method whose one retry waits long: other inputs must not wait behind it.</summary>
[Cls]
public sealed class RetryingModel
{
    /// <summary>Fails on its first run for <paramref name="tag"/> (counted across processes), then succeeds after a 30 s back-off.</summary>
    [Method, Retries(1, InitialDelaySeconds = 30, MaxDelaySeconds = 30)]
    public Reply SlowRetry(string tag)
    {
        var run = Events.Count("model-slow-retry", tag) + 1;
        Events.Write("model-slow-retry", tag);
        return run == 1 ? throw new InvalidOperationException($"run 1 of {tag} fails on purpose") : Work.Here(tag);
    }

    [Method]
    public Reply Echo(string tag)
    {
        Events.Write("model-echo", tag);
        return Work.Here(tag);
    }
}
