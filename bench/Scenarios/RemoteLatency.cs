using Pipeline.Bench.Measuring;
using Pipeline.Bench.Report;
using Pipeline.Bench.Subjects;

namespace Pipeline.Bench.Scenarios;

/// <summary>Scenario 2: one caller, one container, a no-op; each call waits for the previous one (a closed loop).</summary>
internal static class RemoteLatency
{
    public const string Name = "2. Remote latency, closed loop";
    public const string RawQueue = "raw.request";

    public static async Task RunAsync(BenchContext ctx, PipelineRig pipeline, CancellationToken cancellationToken)
    {
        var calls = await CallsAsync(ctx, pipeline, cancellationToken);
        foreach (var (_, call) in calls)
        {
            await Latencies.ClosedLoopAsync(ctx.Settings.ClosedLoopCalls / 5, call);
        }

        // Turns of a fifth each, so a noisy moment on this shared machine does not land on one subject only.
        var samples = calls.ToDictionary(c => c.Subject, _ => new List<long>());
        for (var turn = 0; turn < 5; turn++)
        {
            foreach (var (subject, call) in calls)
            {
                var latencies = await Latencies.ClosedLoopAsync(ctx.Settings.ClosedLoopCalls / 5, call);
                samples[subject].AddRange(latencies.Ticks);
            }
        }

        var raw = new Latencies(samples["raw"]);
        var mt = new Latencies(samples["mt"]);
        var pl = new Latencies(samples["pipeline"]);
        ctx.Measured["rtt-pipeline-p50"] = pl.Ms(50);
        ctx.Progress($"{Name}: p50 raw {raw.Ms(50):0.00} ms, MassTransit {mt.Ms(50):0.00}, Pipeline {pl.Ms(50):0.00}");
        ctx.Figures.Add(new Figure(Name, "p50", "ms", pl.Ms(50), raw.Ms(50), mt.Ms(50), Goal.AtMost(1.5, Baseline.Raw)));
        ctx.Figures.Add(new Figure(Name, "p99", "ms", pl.Ms(99), raw.Ms(99), mt.Ms(99), Goal.Below(5, "ms")));
        ctx.Figures.Add(new Figure(Name, "p99.9", "ms", pl.Ms(99.9), raw.Ms(99.9), mt.Ms(99.9)));
        ctx.Figures.Add(new Figure(Name, "calls per second, one caller", "calls/s", 1000 / pl.MeanMs, 1000 / raw.MeanMs, 1000 / mt.MeanMs));
    }

    /// <summary>The three ways to make one remote call to a no-op, shared with scenario 3.</summary>
    public static async Task<(string Subject, Func<Task> Call)[]> CallsAsync(BenchContext ctx, PipelineRig pipeline, CancellationToken cancellationToken)
    {
        var caller = await ctx.Raw.CallerAsync(cancellationToken);
        var noop = pipeline.Client.Function("bench", "noop");
        return
        [
            ("raw", () => caller.CallAsync(RawQueue, cancellationToken)),
            ("mt", () => ctx.MassTransit.CallAsync(cancellationToken)),
            ("pipeline", () => noop.RemoteAsync<object?>([], cancellationToken)),
        ];
    }
}
