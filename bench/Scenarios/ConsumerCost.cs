using System.Globalization;
using Pipeline.Bench.App;
using Pipeline.Bench.Measuring;
using Pipeline.Bench.Report;
using Pipeline.Bench.Subjects;

namespace Pipeline.Bench.Scenarios;

/// <summary>
/// Scenario 7: what consuming one input costs this process, with nothing else going on: each subject's queue is filled
/// first, then its consumer starts, and the process's allocated bytes and CPU time are read at the first and the last
/// message. Allocation ticks sampled in between name the types that make up the bytes (the hot spots).
/// </summary>
internal static class ConsumerCost
{
    public const string Name = "7. Consumer cost per invocation";
    private const string RawQueue = "raw.drain";
    private const string MassTransitQueue = "mt.drain";

    public static async Task RunAsync(BenchContext ctx, CancellationToken cancellationToken)
    {
        var n = ctx.Settings.DrainMessages;
        using var sampler = new AllocationSampler();

        // Raw: fill, then consume.
        await ctx.Raw.DeclareAsync(RawQueue, cancellationToken);
        await ctx.Raw.PublishAsync(RawQueue, n, ctx.Settings.Window, cancellationToken);
        var done = Probe.Arm(n, captureCost: true);
        sampler.Start(() => Probe.Count > 0);
        CostWindow raw;
        await using (await ctx.Raw.ConsumeAsync(RawQueue, n, cancellationToken))
        {
            raw = await BenchContext.Within(done, TimeSpan.FromMinutes(2), "raw drain");
        }

        var rawTypes = sampler.Stop();

        // MassTransit: sending to queue:mt.drain declares the queue; the endpoint connects once it is full.
        await ctx.MassTransit.SendAsync(MassTransitQueue, n, ctx.Settings.Window, cancellationToken);
        done = Probe.Arm(n, captureCost: true);
        sampler.Start(() => Probe.Count > 0);
        var endpoint = await ctx.MassTransit.ConnectAsync(MassTransitQueue, requests: false, cancellationToken);
        var mt = await BenchContext.Within(done, TimeSpan.FromMinutes(2), "MassTransit drain");
        var mtTypes = sampler.Stop();
        await endpoint.StopAsync(cancellationToken);

        // Pipeline: the client fills the drain pool's queue with no host running; a host started afterwards finds
        // the backlog at its first reconcile and consumes it with its default settings.
        PipelineRig? rig = null;
        CostWindow pl;
        IReadOnlyList<(string Type, long Bytes)> plTypes;
        try
        {
            rig = await PipelineRig.ConnectOnlyAsync(ctx.Broker, ctx.Database, PipelineRig.Worker(("ReconcileInterval", "00:00:00.500")), cancellationToken);
            var drain = rig.Client.Function("bench", "drain");
            await Windowed.RunAsync(n, ctx.Settings.Window, _ => drain.SendAsync([], cancellationToken));
            done = Probe.Arm(n, captureCost: true);
            sampler.Start(() => Probe.Count > 0);
            await rig.StartHostAsync(cancellationToken);
            pl = await BenchContext.Within(done, TimeSpan.FromMinutes(2), "Pipeline drain");
            plTypes = sampler.Stop();
        }
        finally
        {
            if (rig is not null)
            {
                await rig.DisposeAsync();
            }
        }

        ctx.Progress($"{Name}: raw {raw.BytesPerMessage:0} B, {raw.CpuMicrosecondsPerMessage:0} us; MassTransit {mt.BytesPerMessage:0} B, {mt.CpuMicrosecondsPerMessage:0} us; Pipeline {pl.BytesPerMessage:0} B, {pl.CpuMicrosecondsPerMessage:0} us");
        ctx.Figures.Add(new Figure(Name, "allocated per input", "bytes", pl.BytesPerMessage, raw.BytesPerMessage, mt.BytesPerMessage));
        ctx.Figures.Add(new Figure(Name, "CPU per input (this process)", "us", pl.CpuMicrosecondsPerMessage, raw.CpuMicrosecondsPerMessage, mt.CpuMicrosecondsPerMessage));
        ctx.Figures.Add(new Figure(Name, "drain rate", "msg/s", pl.Messages / pl.Seconds, raw.Messages / raw.Seconds, mt.Messages / mt.Seconds));

        ctx.Notes.Add("");
        ctx.Notes.Add("Scenario 7, allocation by type (sampled every ~100 KB; estimated bytes per input):");
        AddTypes(ctx, "Pipeline", plTypes, pl.Messages);
        AddTypes(ctx, "MassTransit", mtTypes, mt.Messages);
        AddTypes(ctx, "raw client", rawTypes, raw.Messages);
        ConsumerPieces.Run(ctx);
    }

    private static void AddTypes(BenchContext ctx, string subject, IReadOnlyList<(string Type, long Bytes)> types, long messages)
    {
        var total = types.Sum(t => t.Bytes);
        ctx.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"- {subject}: sampled {total / (double)messages:0} B per input; top types:"));
        foreach (var (type, bytes) in types.Take(12))
        {
            ctx.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"  {bytes / (double)messages,7:0} B  {type}"));
        }
    }
}
