namespace Pipeline.Scheduler.Firing;

/// <summary>What <see cref="MisfireRule"/> decided about one fire from Quartz.</summary>
/// <param name="Occurrence">The occurrence this fire stands for, when there is one (the latest due at or before the fire).</param>
/// <param name="Run">Whether to run it.</param>
/// <param name="Late">How late the occurrence is.</param>
/// <param name="Reason">Why it does not run: <c>missed</c> (late, and the policy skips it), <c>duplicate</c> (it already ran), <c>none</c> (no occurrence in reach).</param>
internal sealed record FireDecision(DateTimeOffset? Occurrence, bool Run, TimeSpan Late, string? Reason)
{
    public static FireDecision Fire(DateTimeOffset occurrence, TimeSpan late) => new(occurrence, true, late, null);

    public static FireDecision Skip(DateTimeOffset? occurrence, TimeSpan late, string reason) => new(occurrence, false, late, reason);
}
