using System.Globalization;
using Pipeline.Bench.Measuring;
using Pipeline.Bench.Report;
using Pipeline.Bench.Subjects;

namespace Pipeline.Bench.Scenarios;

/// <summary>
/// Scenario 3: remote calls at fixed rates (1,000/s, and half of Pipeline's measured maximum remote-call rate from
/// scenario 4), each measured from its intended send time; the same rates for every subject. Then 1,000/s again
/// while another process keeps one core busy (<see cref="BusyCore"/>), as on a shared GPU host.
/// </summary>
internal static class OpenLoopLatency
{
    public const string Name = "3. Open-loop latency";

    public static async Task RunAsync(BenchContext ctx, PipelineRig pipeline, CancellationToken cancellationToken)
    {
        var calls = await RemoteLatency.CallsAsync(ctx, pipeline, cancellationToken);
        var half = Math.Max(100, Math.Round((ctx.Earlier("map-pipeline") ?? 1000) / 2 / 50) * 50);
        foreach (var (rate, busy) in new[] { (1000.0, false), (half, false), (1000.0, true) })
        {
            var results = new Dictionary<string, OpenLoop.Result>(StringComparer.Ordinal);
            using (var spinner = busy ? BusyCore.TryStart() : null)
            {
                if (busy && spinner is null)
                {
                    ctx.Notes.Add("Scenario 3: no 'sh' to keep a core busy with; the busy-core variant was left out.");
                    continue;
                }

                foreach (var (subject, call) in calls)
                {
                    results[subject] = await OpenLoop.RunAsync(rate, ctx.Settings.OpenLoopDuration, call, cancellationToken);
                }
            }

            var label = busy ? "at 1,000/s, another process keeping one core busy"
                : rate == 1000 ? "at 1,000/s" : string.Create(CultureInfo.InvariantCulture, $"at {rate:#,0}/s (half max)");
            var halfMax = !busy && rate != 1000;
            var (pl, raw, mt) = (results["pipeline"], results["raw"], results["mt"]);
            ctx.Progress($"{Name} {label}: p99 raw {raw.Latencies.Ms(99):0.00} ms, MassTransit {mt.Latencies.Ms(99):0.00}, Pipeline {pl.Latencies.Ms(99):0.00}; failed {raw.Failed}/{mt.Failed}/{pl.Failed}");
            ctx.Figures.Add(new Figure(Name, $"{label} p50", "ms", pl.Latencies.Ms(50), raw.Latencies.Ms(50), mt.Latencies.Ms(50),
                halfMax ? [Goal.AtMost(1.5, Baseline.Raw)] : []));
            ctx.Figures.Add(new Figure(Name, $"{label} p99", "ms", pl.Latencies.Ms(99), raw.Latencies.Ms(99), mt.Latencies.Ms(99),
                Goal.AtMost(halfMax ? 2 : 1.5, Baseline.Raw)));
            ctx.Figures.Add(new Figure(Name, $"{label} p99.9", "ms", pl.Latencies.Ms(99.9), raw.Latencies.Ms(99.9), mt.Latencies.Ms(99.9)));
            ctx.Figures.Add(new Figure(Name, $"{label} achieved", "calls/s", pl.AchievedRate, raw.AchievedRate, mt.AchievedRate));
            if (raw.Failed + mt.Failed + pl.Failed > 0)
            {
                ctx.Notes.Add($"Scenario 3 {label}: calls that failed: raw {raw.Failed}, MassTransit {mt.Failed}, Pipeline {pl.Failed}.");
            }
        }
    }
}
