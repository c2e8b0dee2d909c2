using System.Collections.Concurrent;

namespace Pipeline.Consumers.Tests.Lifecycle;

/// <summary>A class whose method can be made to block past its 5 s timeout; counts its enters and exits by name.</summary>
[App("stuck"), Cls(Timeout = "00:00:05")]
public sealed class StuckModel
{
    private static readonly ConcurrentDictionary<string, int> Enters = new();
    private static readonly ConcurrentDictionary<string, int> Exits = new();
    private static readonly ConcurrentDictionary<string, ManualResetEventSlim> Gates = new();
    private static readonly ConcurrentDictionary<string, int> Honours = new();

    [Parameter] public required string Name { get; init; }

    /// <summary>How many containers of <paramref name="name"/> entered.</summary>
    public static int Entered(string name) => Enters.GetValueOrDefault(name);

    /// <summary>How many containers of <paramref name="name"/> ran exit.</summary>
    public static int Exited(string name) => Exits.GetValueOrDefault(name);

    /// <summary>How many <see cref="HonourAsync"/> calls of <paramref name="name"/> started.</summary>
    public static int Honouring(string name) => Honours.GetValueOrDefault(name);

    [Enter]
    public void Load() => Enters.AddOrUpdate(Name, 1, static (_, n) => n + 1);

    [Exit]
    public void Close() => Exits.AddOrUpdate(Name, 1, static (_, n) => n + 1);

    /// <summary>Lets the <see cref="Block"/> calls of the containers of <paramref name="name"/> return.</summary>
    public static void Open(string name) => Gates.GetOrAdd(name, static _ => new ManualResetEventSlim()).Set();

    /// <summary>Blocks its thread until the test opens the gate (bounded), ignoring any deadline.</summary>
    [Method]
    public string Block()
    {
        Gates.GetOrAdd(Name, static _ => new ManualResetEventSlim()).Wait(TimeSpan.FromMinutes(2));
        return Name;
    }

    /// <summary>Answers at once.</summary>
    [Method]
    public string Echo() => Name;

    /// <summary>Waits for its token, as well-behaved code does.</summary>
    [Method]
    public async Task<string> HonourAsync(CancellationToken cancellationToken)
    {
        Honours.AddOrUpdate(Name, 1, static (_, n) => n + 1);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return Name;
    }

    /// <summary>Stops when its token fires, reporting it with a <see cref="TimeoutException"/> of its own.</summary>
    [Method]
    public async Task<string> ThrowTimeoutAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException("gave up", e);
        }

        return Name;
    }
}
