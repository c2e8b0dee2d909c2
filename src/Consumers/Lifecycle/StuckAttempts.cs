using System.Collections.Concurrent;

namespace Pipeline.Consumers.Lifecycle;

/// <summary>
/// How long an attempt given up on may run on before its container is marked stuck, and the attempts stuck on this
/// host now (their threads run on: .NET cannot abort one), for the worker host's readiness detail. One per host.
/// </summary>
/// <param name="grace">How long code may run after its token fired before its container is stuck.</param>
/// <param name="exitGrace">How long the <c>exit</c> hooks of a replaced container get once its stuck attempt returns.</param>
internal sealed class StuckAttempts(TimeSpan grace, TimeSpan exitGrace)
{
    /// <summary>The grace when none is configured (<c>Pipeline:Worker:StuckAttemptGrace</c>).</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<StuckAttempt, byte> _now = new();

    public TimeSpan Grace { get; } = grace;

    public TimeSpan ExitGrace { get; } = exitGrace;

    /// <summary>
    /// Told the pool queue and whether it was stuck (else terminated by a cancel) when a container of this host breaks.
    /// A process container sets it to end its process instead of replacing the container inside it.
    /// </summary>
    public Action<string, bool>? ContainerBroken { get; set; }

    /// <summary>The attempts stuck now, oldest first.</summary>
    public IReadOnlyList<StuckAttempt> Now => [.. _now.Keys.OrderBy(static a => a.StartedAt)];

    public void Add(StuckAttempt attempt) => _now.TryAdd(attempt, 0);

    public void Remove(StuckAttempt attempt) => _now.TryRemove(attempt, out _);
}
