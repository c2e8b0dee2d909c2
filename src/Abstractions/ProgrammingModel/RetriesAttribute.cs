namespace Pipeline;

/// <summary>
/// Retries with exponential back-off (Modal's <c>modal.Retries</c>): the delay before retry n is
/// <c>min(InitialDelaySeconds * BackoffCoefficient^(n-1), MaxDelaySeconds)</c>.
/// </summary>
/// <param name="maxRetries">Retries after the first attempt; 0 to 10.</param>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RetriesAttribute(int maxRetries) : Attribute
{
    /// <summary>Retries after the first attempt.</summary>
    public int MaxRetries { get; } = maxRetries;

    /// <summary>Multiplier per retry; 1 to 10; default 2.</summary>
    public double BackoffCoefficient { get; set; } = 2;

    /// <summary>Delay before the first retry, in seconds; 0 to 60; default 1.</summary>
    public double InitialDelaySeconds { get; set; } = 1;

    /// <summary>Longest delay, in seconds; 1 to 60; default 60.</summary>
    public double MaxDelaySeconds { get; set; } = 60;
}
