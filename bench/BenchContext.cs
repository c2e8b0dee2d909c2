using System.Diagnostics;
using Pipeline.Bench.Report;
using Pipeline.Bench.Servers;
using Pipeline.Bench.Subjects;

namespace Pipeline.Bench;

/// <summary>What every scenario gets: the servers, the two baselines (kept for the whole run), and where figures go.</summary>
internal sealed class BenchContext(BenchSettings settings, BenchBroker broker, BenchDatabase database, RawRabbit raw, BareMassTransit massTransit)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public BenchSettings Settings { get; } = settings;

    public BenchBroker Broker { get; } = broker;

    public BenchDatabase Database { get; } = database;

    public RawRabbit Raw { get; } = raw;

    public BareMassTransit MassTransit { get; } = massTransit;

    public List<Figure> Figures { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>Figures measured along the way that later scenarios build on (the raw ceiling, Pipeline's maximum rate).</summary>
    public Dictionary<string, double> Measured { get; } = new(StringComparer.Ordinal);

    /// <summary>A figure measured earlier in this run, or null when its scenario did not run (<c>--only</c>).</summary>
    public double? Earlier(string key) => Measured.TryGetValue(key, out var value) ? value : null;

    public void Progress(string message) =>
        Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(_started).TotalSeconds,5:0}s] {message}");

    /// <summary>Waits for a probe or a reply, failing with the scenario's name instead of hanging.</summary>
    public static async Task<T> Within<T>(Task<T> task, TimeSpan limit, string what)
    {
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{what} did not finish within {limit.TotalSeconds:0} s; is a worker host from another run consuming this run's queues, or the broker in flow control?", e);
        }
    }
}
