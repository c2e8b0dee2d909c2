namespace Pipeline.IntegrationTests.App;

/// <summary>
/// Methods that run past the class's 1 s timeout: a synchronous one and an async one that both ignore their deadline,
/// and one that stops when its token fires. Each writes <c>stuck-start</c>/<c>stuck-end</c> (or <c>honour-*</c>) under
/// its tag, and the container writes <c>stubborn-enter</c>/<c>stubborn-exit</c> under its container id. The stuck
/// ones run 30 s, or until the test opens the tag's gate.
/// </summary>
[Cls(Timeout = "00:00:01")]
public sealed class Stubborn
{
    private static readonly TimeSpan Stuck = TimeSpan.FromSeconds(30);

    [Parameter] public required string Name { get; init; }

    [Enter]
    public void Load() => Events.Write("stubborn-enter", ContainerId);

    [Exit]
    public void Unload() => Events.Write("stubborn-exit", ContainerId);

    /// <summary>Synchronous: blocks its thread for 30 s (or until the gate opens), whatever the deadline.</summary>
    [Method]
    public string Block(string tag)
    {
        Events.Write("stuck-start", tag);
        var until = Environment.TickCount64 + (long)Stuck.TotalMilliseconds;
        while (!File.Exists(Events.Gate(tag)) && Environment.TickCount64 < until)
        {
            Thread.Sleep(20);
        }

        Events.Write("stuck-end", tag);
        return ContainerId;
    }

    /// <summary>Asynchronous, and never looks at its token.</summary>
    [Method]
    public async Task<string> IgnoreTokenAsync(string tag, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        Events.Write("stuck-start", tag);
        var until = Environment.TickCount64 + (long)Stuck.TotalMilliseconds;
        while (!File.Exists(Events.Gate(tag)) && Environment.TickCount64 < until)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        Events.Write("stuck-end", tag);
        return ContainerId;
    }

    /// <summary>Waits 30 s for its token, as well-behaved code does.</summary>
    [Method]
    public async Task<string> HonourAsync(string tag, CancellationToken cancellationToken)
    {
        Events.Write("honour-start", tag);
        try
        {
            await Task.Delay(Stuck, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Events.Write("honour-cancelled", tag);
            throw;
        }

        return ContainerId;
    }

    /// <summary>The id of the container that runs it.</summary>
    [Method]
    public string Who() => ContainerId;

    private static string ContainerId => ContainerContext.Current?.ContainerId ?? "none";
}
