using System.Collections.Concurrent;

namespace Pipeline.Consumers.Tests.Lifecycle;

/// <summary>
/// Synchronous hooks that block their thread, ignoring any deadline, until the test opens the gate of <see cref="Run"/>
/// (bounded, so a failing test never leaves a thread blocked for good): <c>enter</c> when <see cref="Run"/> starts
/// with <c>enter</c>, <c>exit</c> when it starts with <c>exit</c>.
/// </summary>
[App("lifecycle"), Cls(Timeout = "00:00:05")]
public sealed class BlockingHookModel
{
    private static readonly ConcurrentDictionary<string, ManualResetEventSlim> Gates = new();

    [Parameter] public required string Run { get; init; }

    /// <summary>Lets the hooks of <paramref name="run"/> return.</summary>
    public static void Open(string run) => Gate(run).Set();

    [Enter]
    public void Load()
    {
        if (Run.StartsWith("enter", StringComparison.Ordinal))
        {
            Gate(Run).Wait(TimeSpan.FromMinutes(2));
        }
    }

    [Method]
    public string Work(string input) => input;

    [Exit]
    public void Close()
    {
        if (Run.StartsWith("exit", StringComparison.Ordinal))
        {
            Gate(Run).Wait(TimeSpan.FromMinutes(2));
        }
    }

    private static ManualResetEventSlim Gate(string run) => Gates.GetOrAdd(run, static _ => new ManualResetEventSlim());
}
