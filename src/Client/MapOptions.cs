namespace Pipeline.Client;

/// <summary>How <see cref="FunctionHandle.MapAsync{TResult}"/> runs.</summary>
public sealed class MapOptions
{
    /// <summary>Results in input order (true, the default) or in completion order.</summary>
    public bool OrderOutputs { get; init; } = true;

    /// <summary>The most inputs sent and not yet finished; default 1,000 (Modal's limit).</summary>
    public int MaxInFlight { get; init; } = 1000;
}
