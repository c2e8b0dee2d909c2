namespace Pipeline.Scheduler.Firing;

/// <summary>What <see cref="MisfireRule"/> decided about one fire.</summary>
/// <param name="Run">The occurrence to run now, if any.</param>
/// <param name="Late">How late <paramref name="Run"/> is.</param>
/// <param name="Skipped">The missed occurrences this fire skips, oldest first (at most <see cref="MisfireRule.ListedSkips"/>).</param>
/// <param name="SkippedBeyond">When more were skipped than listed: the last listed one and the latest skipped, to report as a range.</param>
/// <param name="Handled">The latest occurrence handled (run or skipped) once this fire is done; none run again.</param>
internal sealed record FireDecision(
    DateTimeOffset? Run,
    TimeSpan Late,
    IReadOnlyList<DateTimeOffset> Skipped,
    (DateTimeOffset After, DateTimeOffset Until)? SkippedBeyond,
    DateTimeOffset? Handled);
