namespace Pipeline.Scheduler;

/// <summary>
/// A schedule is wrong, in configuration or in a <c>[Schedule]</c> attribute; thrown once at start-up with every
/// problem found, each naming the schedule, the field and the fix. Nothing is scheduled until they are fixed.
/// </summary>
public sealed class ScheduleDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScheduleDefinitionException()
        : this([])
    {
    }

    /// <summary>Creates the exception with one problem.</summary>
    /// <param name="message">The problem.</param>
    public ScheduleDefinitionException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with one problem and its cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public ScheduleDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with every problem found.</summary>
    /// <param name="problems">The problems, one sentence each.</param>
    public ScheduleDefinitionException(IReadOnlyList<string> problems)
        : base(Format(problems))
    {
        Problems = problems;
    }

    /// <summary>Each problem: the schedule, the field (its configuration key or attribute) and what to change.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(IReadOnlyList<string> problems) => problems.Count switch
    {
        0 => "The schedules are invalid.",
        1 => "A schedule is invalid: " + problems[0],
        _ => $"The schedules have {problems.Count} problems:{Environment.NewLine}- " + string.Join(Environment.NewLine + "- ", problems),
    };
}
