namespace Pipeline.Consumers.Discovery;

/// <summary>Modal's retry policy: how many retries, and the delay before each.</summary>
internal sealed record RetryPolicy(int MaxRetries, double BackoffCoefficient, TimeSpan InitialDelay, TimeSpan MaxDelay)
{
    public static readonly RetryPolicy None = new(0, 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    /// <summary>The integer form, <c>retries=N</c>: a fixed 1 s delay.</summary>
    public static RetryPolicy Fixed(int maxRetries) => new(maxRetries, 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    /// <summary>The delay before retry <paramref name="retry"/> (1 for the first retry).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        var seconds = InitialDelay.TotalSeconds * Math.Pow(BackoffCoefficient, Math.Max(0, retry - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxDelay.TotalSeconds));
    }
}
