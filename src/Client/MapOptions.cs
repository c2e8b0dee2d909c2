namespace Pipeline.Client;

/// <summary>How <see cref="FunctionHandle.MapAsync{TResult}"/> runs.</summary>
public sealed class MapOptions
{
    /// <summary>Results in input order (true, the default) or in completion order.</summary>
    public bool OrderOutputs { get; init; } = true;

    /// <summary>The most inputs sent and not yet finished; default 1,000 (Modal's limit).</summary>
    public int MaxInFlight { get; init; } = 1000;

    /// <summary>
    /// The most inputs sent in one message; default 100. The client sizes each chunk so that it holds about 10 ms of
    /// work, measured from the outcomes so far, so long functions still go one input per message and spread over every
    /// container. 1 sends one message per input.
    /// </summary>
    public int MaxChunkSize { get; init; } = 100;
}
