namespace Pipeline;

/// <summary>What a schedule does when an occurrence comes due while the call of its previous fire has not finished.</summary>
public enum ScheduleOverlap
{
    /// <summary>Fire anyway: runs may overlap. The default, and Modal's behaviour.</summary>
    Allow,

    /// <summary>Skip this occurrence while the previous fire's call is still pending or running.</summary>
    Skip,
}
