using System.Diagnostics;
using MassTransit;
using Pipeline.Bench.App;
using Pipeline.Bench.Measuring;
using Pipeline.Bench.Report;
using Pipeline.Bench.Subjects;

namespace Pipeline.Bench.Scenarios;

/// <summary>
/// Scenario 5: from the first call for a new parameter set to its result, minus the time spent in enter: what a new
/// pool costs (queue, notice, slot, container, consumer). The baselines do the same work by hand: a new queue and a
/// consumer on it (raw: a channel, a declare, basic.consume; MassTransit: a new receive endpoint), then one call.
/// The same is measured for a class whose containers are child processes (<see cref="ProcessColdModel"/>), with the
/// child's memory read from <c>/proc</c> while it is still up.
/// </summary>
internal static class ColdStart
{
    public const string Name = "5. Cold start";

    // A process container starts a runtime: seconds on a busy machine, not milliseconds. Past this, the scenario fails
    // with its name instead of waiting for ever.
    private static readonly TimeSpan ProcessStartLimit = TimeSpan.FromMinutes(2);

    public static async Task RunAsync(BenchContext ctx, PipelineRig pipeline, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var caller = await ctx.Raw.CallerAsync(cancellationToken);
        var cold = pipeline.Client.Cls("bench", "cold-model");
        var raw = new List<long>();
        var mt = new List<long>();
        var pl = new List<long>();
        var servers = new List<RawRabbit.RpcServer>();
        var endpoints = new List<HostReceiveEndpointHandle>();
        try
        {
            // Sample 0 warms up each path (JIT, first declare) and is not counted.
            for (var k = 0; k <= ctx.Settings.ColdStarts; k++)
            {
                var started = Stopwatch.GetTimestamp();
                var server = await ctx.Raw.ServeAsync($"raw.cold.{run}.{k}", cancellationToken);
                await caller.CallAsync($"raw.cold.{run}.{k}", cancellationToken);
                var rawTicks = Stopwatch.GetTimestamp() - started;
                servers.Add(server);

                started = Stopwatch.GetTimestamp();
                var endpoint = await ctx.MassTransit.ConnectAsync($"mt.cold.{run}.{k}", requests: true, cancellationToken);
                await BareMassTransit.CallAsync(ctx.MassTransit.RequestClient($"mt.cold.{run}.{k}"), cancellationToken);
                var mtTicks = Stopwatch.GetTimestamp() - started;
                endpoints.Add(endpoint);

                var key = $"{run}-{k}";
                started = Stopwatch.GetTimestamp();
                await cold.With(new { key }).Method("ping").RemoteAsync<int>([], cancellationToken);
                var plTicks = Stopwatch.GetTimestamp() - started - (long)(ColdModel.EnterMilliseconds[key] * Stopwatch.Frequency / 1000);
                if (k > 0)
                {
                    raw.Add(rawTicks);
                    mt.Add(mtTicks);
                    pl.Add(plTicks);
                }
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            foreach (var endpoint in endpoints)
            {
                await endpoint.StopAsync(cancellationToken);
            }
        }

        var (r, m, p) = (new Latencies(raw), new Latencies(mt), new Latencies(pl));
        ctx.Progress($"{Name}: p50 raw {r.Ms(50):0.0} ms, MassTransit {m.Ms(50):0.0}, Pipeline {p.Ms(50):0.0}");
        ctx.Figures.Add(new Figure(Name, "first call to a new pool, minus enter, p50", "ms", p.Ms(50), r.Ms(50), m.Ms(50), Goal.AtMost(1.3, Baseline.MassTransit)));
        ctx.Figures.Add(new Figure(Name, "same, max", "ms", p.MaxMs, r.MaxMs, m.MaxMs));
        if (ctx.Measured.TryGetValue("rtt-pipeline-p50", out var warm))
        {
            ctx.Figures.Add(new Figure(Name, "pool overhead: cold p50 minus warm call p50", "ms", p.Ms(50) - warm, null, null));
        }

        if (ctx.Settings.ProcessColdStarts > 0)
        {
            await ProcessContainersAsync(ctx, pipeline, run, r, m, p, cancellationToken);
        }
    }

    // The same first call to a class whose containers are child processes, after the in-process ones (so the two do not
    // share the cores), against the same baselines' samples. Every sample counts: each child starts a runtime from
    // nothing, and a warm-up start would cost --quick seconds to warm only the host's few milliseconds of launch code.
    private static async Task ProcessContainersAsync(BenchContext ctx, PipelineRig pipeline, string run, Latencies r, Latencies m, Latencies p, CancellationToken cancellationToken)
    {
        var cold = pipeline.Client.Cls("bench", "process-cold-model");
        var ticks = new List<long>();
        var peaks = new List<double>();
        var resident = new List<double>();
        for (var k = 0; k < ctx.Settings.ProcessColdStarts; k++)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await BenchContext.Within(
                cold.With(new { key = $"{run}-p{k}" }).Method("ping").RemoteAsync<ColdAnswer>([], cancellationToken),
                ProcessStartLimit,
                $"{Name}: process container {k}");
            var elapsed = Stopwatch.GetTimestamp() - started - (long)(answer.EnterMilliseconds * Stopwatch.Frequency / 1000);

            // The child is still up (its pool's scale-down window is 5 s): its peak and current resident set after enter
            // and one input. A child that is already gone (or no /proc) gives no memory figure rather than a wrong one.
            var memory = ChildMemory(answer.ProcessId);
            ticks.Add(elapsed);
            if (memory is { } mem)
            {
                peaks.Add(mem.PeakKb);
                resident.Add(mem.ResidentKb);
            }
        }

        var pp = new Latencies(ticks);
        ctx.Progress($"{Name}: process containers p50 {pp.Ms(50):0} ms ({pp.Ms(50) / p.Ms(50):0.0} x in process)");
        ctx.Figures.Add(new Figure(Name, "same, process container (Isolation = Process), p50", "ms", pp.Ms(50), r.Ms(50), m.Ms(50)));
        ctx.Figures.Add(new Figure(Name, "same, process container, max", "ms", pp.MaxMs, r.MaxMs, m.MaxMs));
        ctx.Figures.Add(new Figure(Name, "process container p50 / in-process p50", "x", pp.Ms(50) / p.Ms(50), null, null));
        if (peaks.Count > 0)
        {
            ctx.Figures.Add(new Figure(Name, "process container peak RSS after enter (VmHWM), median", "MB", Median(peaks) / 1024, null, null));
            ctx.Figures.Add(new Figure(Name, "process container RSS after enter (VmRSS), median", "MB", Median(resident) / 1024, null, null));
        }
        else
        {
            ctx.Notes.Add("5. Cold start: no process container's memory could be read (no /proc, or each child had exited).");
        }
    }

    private static (double PeakKb, double ResidentKb)? ChildMemory(int processId)
    {
        var path = $"/proc/{processId}/status";
        try
        {
            var lines = File.ReadAllLines(path);
            return Kb(lines, "VmHWM:") is { } peak && Kb(lines, "VmRSS:") is { } rss ? (peak, rss) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    // "VmHWM:	  123456 kB"
    private static double? Kb(string[] lines, string field) =>
        lines.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) is { } line &&
        double.TryParse(line[field.Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var kb)
            ? kb
            : null;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
