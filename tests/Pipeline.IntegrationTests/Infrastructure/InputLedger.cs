using System.Collections.Concurrent;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// The bookkeeping the fault tests (<c>ChaosTests</c>, <c>ClusterNodeLossTests</c>) share: the inputs one run spawned
/// (tags <c>&lt;run&gt;-&lt;i&gt;</c>, so the event log tells this run's inputs apart), the sends the client refused (their
/// caller was told: counted, not lost), what the test app's event log says each input and container did, the lookup of
/// every result by its id, and the counts line a run appends to its report file. It owns the run's event log folder.
/// </summary>
public sealed class InputLedger : IDisposable
{
    private readonly ConcurrentQueue<(string Tag, string Id)> _calls = new();
    private readonly ConcurrentQueue<string> _refused = new();

    /// <summary>The event log the worker processes of this run write to (pass its folder to them).</summary>
    public EventLog Events { get; } = new();

    /// <summary>This run's tag prefix.</summary>
    public string Run { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>The inputs spawned so far (tag and call id).</summary>
    public IReadOnlyCollection<(string Tag, string Id)> Calls => _calls;

    /// <summary>How many sends the client refused.</summary>
    public int RefusedCount => _refused.Count;

    /// <summary>The refused sends by exception type (<c>3 BrokerUnavailableException</c>).</summary>
    public string RefusedKinds =>
        string.Join(", ", _refused.GroupBy(r => r.Split(':')[0]).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>The tag of input <paramref name="index"/> of this run.</summary>
    public string Tag(int index) => $"{Run}-{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Records an input the client accepted.</summary>
    public void Spawned(string tag, FunctionCall call) => _calls.Enqueue((tag, call.Id));

    /// <summary>Records a send the client refused (its caller was told).</summary>
    public void Refused(Exception error) => _refused.Enqueue(error.GetType().Name + ": " + error.Message);

    /// <summary>Inputs of this run that ran to their end (each run counted: an input that ran twice counts twice).</summary>
    public int Finished() => Events.Read().Count(e => e.Kind is "slow-end" or "method-end" && Mine(e.Subject));

    /// <summary>Looks every spawned input's result up by its id; returns what went wrong with those that have none.</summary>
    public async Task<IReadOnlyList<string>> UnresolvedAsync(PipelineClient client, TimeSpan patience)
    {
        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(_calls, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (call, token) =>
        {
            try
            {
                await client.Call(call.Id).GetAsync<Reply>(patience, token);
            }
            catch (Exception e)
            {
                failures.Add($"{call.Id} ({call.Tag}): {e.GetType().Name}: {e.Message}");
            }
        });
        return [.. failures];
    }

    /// <summary>Counts starts, ends and container hooks; <paramref name="ignoredPids"/>: hosts that owe no exit (SIGKILLed).</summary>
    public InputTally Tally(IReadOnlySet<int>? ignoredPids = null)
    {
        var all = Events.Read();
        var starts = Group(all, "slow-start", "method-start");
        var ends = Group(all, "slow-end", "method-end");
        var unbalanced = all.Where(e => e.Kind is "enter" or "exit" && ignoredPids?.Contains(e.Pid) != true)
            .GroupBy(e => (e.Pid, e.Subject))
            .Where(g => g.Count(e => e.Kind == "enter") != g.Count(e => e.Kind == "exit"))
            .Select(g => $"{g.Key.Subject} in {g.Key.Pid}: {g.Count(e => e.Kind == "enter")} enter, {g.Count(e => e.Kind == "exit")} exit")
            .ToList();
        return new InputTally(
            starts.Count,
            starts.Values.Sum(n => n - 1),
            ends.Values.Sum(n => n - 1),
            starts.Sum(s => s.Value - ends.GetValueOrDefault(s.Key)),
            all.Count(e => e.Kind == "enter"),
            all.Count(e => e.Kind == "exit"),
            unbalanced);
    }

    /// <summary>Appends a run's counts line to the file named by <paramref name="variable"/>, when it is set.</summary>
    public static async Task AppendReportAsync(string variable, string report)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } file)
        {
            await File.AppendAllTextAsync(file, report + Environment.NewLine);
        }
    }

    /// <summary>Removes the event log folder.</summary>
    public void Dispose() => Events.Dispose();

    // The class method writes its prompt (the tag) as method-start/-end; its slow-start carries the model instead.
    private Dictionary<string, int> Group(IReadOnlyList<(string Kind, string Subject, int Pid)> all, string function, string method) =>
        all.Where(e => (e.Kind == function || e.Kind == method) && Mine(e.Subject))
            .GroupBy(e => e.Subject)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private bool Mine(string subject) => subject.StartsWith(Run + "-", StringComparison.Ordinal);
}
