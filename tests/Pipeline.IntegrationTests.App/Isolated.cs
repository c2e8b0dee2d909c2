namespace Pipeline.IntegrationTests.App;

/// <summary>
/// A class whose containers are child processes of the worker host (<see cref="ContainerIsolation.Process"/>), with a
/// 1 s timeout: <c>crash</c> kills its process (Environment.FailFast) the first time a tag is seen, <c>block</c> holds
/// its thread 30 s (or until the tag's gate opens) whatever the deadline. Each method returns the process id.
/// </summary>
[Cls(Timeout = "00:00:01", Isolation = ContainerIsolation.Process)]
public sealed class Isolated
{
    private static readonly TimeSpan Stuck = TimeSpan.FromSeconds(30);

    [Parameter] public required string Name { get; init; }

    [Enter]
    public void Load() => Events.Write("isolated-enter", Name);

    [Exit]
    public void Unload() => Events.Write("isolated-exit", Name);

    /// <summary>The process it runs in.</summary>
    [Method]
    public int Pid() => Environment.ProcessId;

    /// <summary>Crashes its process mid-input the first time; the redelivered input completes.</summary>
    [Method]
    public int Crash(string tag)
    {
        if (Events.Count("isolated-crash", tag) == 0)
        {
            Events.Write("isolated-crash", tag);
            Environment.FailFast("Pipeline integration test: a native crash in a process container");
        }

        Events.Write("isolated-done", tag);
        return Environment.ProcessId;
    }

    /// <summary>Synchronous: blocks its thread for 30 s (or until the gate opens), whatever the deadline.</summary>
    [Method]
    public int Block(string tag)
    {
        Events.Write("isolated-block-start", tag);
        var until = Environment.TickCount64 + (long)Stuck.TotalMilliseconds;
        while (!File.Exists(Events.Gate(tag)) && Environment.TickCount64 < until)
        {
            Thread.Sleep(20);
        }

        Events.Write("isolated-block-end", tag);
        return Environment.ProcessId;
    }
}
