namespace Pipeline.Bench.App;

/// <summary>What a process container's first call answers: enter's time in the child, and the child's process id.</summary>
/// <param name="EnterMilliseconds">Milliseconds spent in enter.</param>
/// <param name="ProcessId">The child process.</param>
public sealed record ColdAnswer(double EnterMilliseconds, int ProcessId);
