namespace Pipeline.Scheduler.Firing;

/// <summary>What became of one fire.</summary>
internal enum FireOutcome
{
    /// <summary>The call was spawned.</summary>
    Fired,

    /// <summary>The occurrence was late beyond what its misfire policy allows; nothing ran.</summary>
    Missed,

    /// <summary>The previous fire's call was still running and the overlap policy is Skip; nothing ran.</summary>
    Overlapping,

    /// <summary>This occurrence had already been handled (another trigger or node fired it); nothing ran.</summary>
    Duplicate,

    /// <summary>Spawning the call failed (the broker unreachable, say); the same occurrence is tried again.</summary>
    Failed,

    /// <summary>This process has no schedule of that name (another node's configuration has it); nothing ran.</summary>
    Unknown,
}
