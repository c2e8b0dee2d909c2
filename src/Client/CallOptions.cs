namespace Pipeline.Client;

/// <summary>Options for one spawned or sent call.</summary>
public sealed record CallOptions
{
    /// <summary>
    /// When set, a second call with the same key, while the first is pending or after it finished (within the results
    /// retention), returns the first call instead of running again. Schedules use <c>schedule-name:occurrence-UTC</c>.
    /// At most 200 characters.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}
