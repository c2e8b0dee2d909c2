namespace Pipeline;

/// <summary>What a schedule does about an occurrence that came due while no scheduler was running (or could fire it in time).</summary>
public enum ScheduleMisfire
{
    /// <summary>Drop it and wait for the next occurrence: nothing runs late. The default.</summary>
    Skip,

    /// <summary>
    /// Run once for the latest missed occurrence, if it is no older than the schedule's misfire window; however many
    /// occurrences were missed, at most one runs.
    /// </summary>
    RunOnce,
}
