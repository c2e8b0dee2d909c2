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
/// </summary>
internal static class ColdStart
{
    public const string Name = "5. Cold start";

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
        ctx.Figures.Add(new Figure(Name, "first call to a new pool, minus enter, p50", "ms", p.Ms(50), r.Ms(50), m.Ms(50)));
        ctx.Figures.Add(new Figure(Name, "same, max", "ms", p.MaxMs, r.MaxMs, m.MaxMs));
        if (ctx.Measured.TryGetValue("rtt-pipeline-p50", out var warm))
        {
            ctx.Figures.Add(new Figure(Name, "pool overhead: cold p50 minus warm call p50", "ms", p.Ms(50) - warm, null, null));
        }
    }
}
