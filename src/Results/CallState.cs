namespace Pipeline.Results;

/// <summary>What the store knows of a call.</summary>
public enum CallState
{
    /// <summary>Spawned and not finished.</summary>
    Pending,

    /// <summary>Finished; the result is there.</summary>
    Completed,

    /// <summary>Never spawned here, or its result expired and was purged.</summary>
    Unknown,
}
