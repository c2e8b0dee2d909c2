using System.Diagnostics;
using System.Globalization;
using Pipeline.Bench.Measuring;
using Pipeline.Bench.Report;
using Pipeline.Bench.Subjects;
using Pipeline.Client;

namespace Pipeline.Bench.Scenarios;

/// <summary>
/// Scenario 4: map over 10,000 inputs with results in input order. The goal is counted against the raw client's
/// publish-to-consume rate of scenario 1, in inputs.
/// </summary>
internal static class MapThroughput
{
    public const string Name = "4. Map";

    public static async Task RunAsync(BenchContext ctx, PipelineRig pipeline, CancellationToken cancellationToken)
    {
        var s = ctx.Settings;
        var caller = await ctx.Raw.CallerAsync(cancellationToken);
        var echo = pipeline.Client.Function("bench", "echo");

        var warmUp = Math.Min(2_000, s.MapInputs / 3);
        await PipelineAsync(echo, warmUp, Chunked, cancellationToken);
        await PipelineAsync(echo, warmUp, OnePerMessage, cancellationToken);
        var raw = new List<double>();
        var mt = new List<double>();
        var pl = new List<double>();
        var plSingle = new List<double>();
        for (var rep = 0; rep < s.MapRepetitions; rep++)
        {
            raw.Add(await TimedAsync(s.MapInputs, () => Windowed.RunAsync(s.MapInputs, 1000, _ => caller.CallAsync(RemoteLatency.RawQueue, cancellationToken))));
            mt.Add(await TimedAsync(s.MapInputs, () => Windowed.RunAsync(s.MapInputs, 1000, _ => ctx.MassTransit.CallAsync(cancellationToken))));
            pl.Add(await PipelineAsync(echo, s.MapInputs, Chunked, cancellationToken));
            plSingle.Add(await PipelineAsync(echo, s.MapInputs, OnePerMessage, cancellationToken));
            ctx.Progress($"{Name} rep {rep + 1}: raw request/reply {raw[^1]:0} inputs/s, MassTransit {mt[^1]:0}, Pipeline {pl[^1]:0}, one per message {plSingle[^1]:0}");
        }

        // Open-loop latency runs remote calls, one message each: half of that rate is "half the measured maximum".
        ctx.Measured["map-pipeline"] = Repeat.Median(plSingle);
        double? ceiling = ctx.Earlier("raw");
        ctx.Figures.Add(new Figure(Name, string.Create(CultureInfo.InvariantCulture, $"{s.MapInputs:#,0} inputs in order, default MapOptions (chunked) (raw: scenario 1 msg/s)"), "inputs/s", Repeat.Median(pl), ceiling, Repeat.Median(mt),
            Goal.AtLeast(0.7, Baseline.Raw)));
        ctx.Figures.Add(new Figure(Name, "same, MaxChunkSize = 1 (one message per input)", "inputs/s", Repeat.Median(plSingle), ceiling, Repeat.Median(mt)));
        ctx.Figures.Add(new Figure(Name, "same over raw request/reply, 1,000 in flight", "inputs/s", null, Repeat.Median(raw), null));
    }

    /// <summary>The product's map on a host with another configuration.</summary>
    public static async Task TunedAsync(BenchContext ctx, PipelineRig pipeline, string label, CancellationToken cancellationToken)
    {
        var echo = pipeline.Client.Function("bench", "echo");
        await PipelineAsync(echo, Math.Min(2_000, ctx.Settings.MapInputs / 3), Chunked, cancellationToken);
        var pl = new List<double>();
        var mt = new List<double>();
        for (var rep = 0; rep < ctx.Settings.MapRepetitions; rep++)
        {
            mt.Add(await TimedAsync(ctx.Settings.MapInputs, () => Windowed.RunAsync(ctx.Settings.MapInputs, 1000, _ => ctx.MassTransit.CallAsync(cancellationToken))));
            pl.Add(await PipelineAsync(echo, ctx.Settings.MapInputs, Chunked, cancellationToken));
        }

        ctx.Progress($"{Name}, {label}: MassTransit {Repeat.Median(mt):0} inputs/s, Pipeline {Repeat.Median(pl):0}");
        ctx.Figures.Add(new Figure(Name, $"chunked, {label} (MT measured again)", "inputs/s", Repeat.Median(pl), ctx.Earlier("raw-tuned-phase") ?? ctx.Earlier("raw"), Repeat.Median(mt),
            Goal.AtLeast(0.7, Baseline.Raw)));
    }

    private static readonly MapOptions Chunked = new() { MaxInFlight = 1000 };

    private static readonly MapOptions OnePerMessage = new() { MaxInFlight = 1000, MaxChunkSize = 1 };

    private static async Task<double> PipelineAsync(FunctionHandle echo, int count, MapOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var expected = 0;
        await foreach (var y in echo.MapAsync<int>(Enumerable.Range(0, count).Cast<object?>(), options, cancellationToken))
        {
            Check(y, expected++);
        }

        Check(expected, count);
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<double> TimedAsync(int count, Func<Task> run)
    {
        var started = Stopwatch.GetTimestamp();
        await run();
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static void Check(int actual, int expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"Map returned {actual} where {expected} was expected: results out of order or missing.");
        }
    }
}
