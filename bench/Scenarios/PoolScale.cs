using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Pipeline.Bench.App;
using Pipeline.Bench.Measuring;
using Pipeline.Bench.Report;
using Pipeline.Bench.Servers;
using Pipeline.Bench.Subjects;

namespace Pipeline.Bench.Scenarios;

/// <summary>
/// Scenario 6: many parameter sets, one input each. Time to serve them all, the broker's memory per pool (its queue
/// processes, and all of the node's), the process's managed memory per idle container, then the time until every pool
/// scaled down. The baselines make the same number of queues with a consumer each (raw: a channel each; MassTransit: a
/// receive endpoint each), make one call to each, then remove them.
/// </summary>
internal static class PoolScale
{
    public const string Name = "6. Pool scale";
    private const int Concurrency = 100;

    public static async Task RunAsync(BenchContext ctx, PipelineRig pipeline, CancellationToken cancellationToken)
    {
        var n = ctx.Settings.Pools;
        var name = string.Create(CultureInfo.InvariantCulture, $"{Name} ({n:#,0} pools)");
        var raw = await RawAsync(ctx, n, cancellationToken);
        ctx.Progress($"{name}: raw {raw.Total:0.0} s, {raw.Broker.Total / 1024.0:0} KB broker memory per queue");
        var mt = await MassTransitAsync(ctx, n, cancellationToken);
        ctx.Progress($"{name}: MassTransit {mt.Total:0.0} s, {mt.Broker.Total / 1024.0:0} KB per endpoint");
        var pl = await PipelineAsync(ctx, pipeline, n, cancellationToken);
        ctx.Progress($"{name}: Pipeline {pl.Total:0.0} s, {pl.Broker.Total / 1024.0:0} KB per pool, scaled down {pl.ScaleDown:0.0} s after its window");

        ctx.Figures.Add(new Figure(name, "create, one input each, all results", "s", pl.Total, raw.Total, mt.Total));
        ctx.Figures.Add(new Figure(name, "broker memory per pool, all", "KB", Kb(pl.Broker.Total), Kb(raw.Broker.Total), Kb(mt.Broker.Total)));
        ctx.Figures.Add(new Figure(name, "of which queue processes (Pipeline: queue + _error)", "KB", Kb(pl.Broker.Queues), Kb(raw.Broker.Queues), Kb(mt.Broker.Queues)));
        ctx.Figures.Add(new Figure(name, "of which connections and channels", "KB", Kb(pl.Broker.Connections), Kb(raw.Broker.Connections), Kb(mt.Broker.Connections)));
        ctx.Figures.Add(new Figure(name, "managed memory per idle pool, host process", "KB", pl.HeapKb, raw.HeapKb, mt.HeapKb));
        ctx.Figures.Add(new Figure(name, $"scale all down (Pipeline: beyond its {Seconds(PoolModel.Window):0} s window)", "s", pl.ScaleDown, raw.ScaleDown, mt.ScaleDown));
    }

    private sealed record Result(double Total, BrokerMemory Broker, double HeapKb, double ScaleDown);

    private static double Kb(long bytes) => bytes / 1024.0;

    private static double Seconds(string span) => TimeSpan.Parse(span, CultureInfo.InvariantCulture).TotalSeconds;

    private static BrokerMemory PerPool(BrokerMemory after, BrokerMemory before, int n)
    {
        var d = after - before;
        return new BrokerMemory(d.Total / n, d.Queues / n, d.Connections / n, d.Tables / n);
    }

    private static async Task<Result> RawAsync(BenchContext ctx, int n, CancellationToken cancellationToken)
    {
        var caller = await ctx.Raw.CallerAsync(cancellationToken);
        var broker = await ctx.Broker.MemoryAsync(cancellationToken);
        var heap = Heap();
        var servers = new RawRabbit.RpcServer[n];
        var started = Stopwatch.GetTimestamp();
        await Windowed.RunAsync(n, Concurrency, async i =>
        {
            servers[i] = await ctx.Raw.ServeAsync($"raw.pool.{i}", cancellationToken);
            await caller.CallAsync($"raw.pool.{i}", cancellationToken);
        });
        var total = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var heapKb = (Heap() - heap) / 1024.0 / n;
        var perPool = PerPool(await ctx.Broker.MemoryAsync(cancellationToken), broker, n);
        started = Stopwatch.GetTimestamp();
        await Windowed.RunAsync(n, Concurrency, async i => await servers[i].DisposeAsync());
        return new Result(total, perPool, heapKb, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task<Result> MassTransitAsync(BenchContext ctx, int n, CancellationToken cancellationToken)
    {
        var broker = await ctx.Broker.MemoryAsync(cancellationToken);
        var heap = Heap();
        var endpoints = new HostReceiveEndpointHandle[n];
        var started = Stopwatch.GetTimestamp();
        await Windowed.RunAsync(n, Concurrency, async i =>
        {
            endpoints[i] = await ctx.MassTransit.ConnectAsync($"mt.pool.{i}", requests: true, cancellationToken);
            await BareMassTransit.CallAsync(ctx.MassTransit.RequestClient($"mt.pool.{i}"), cancellationToken);
        });
        var total = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var heapKb = (Heap() - heap) / 1024.0 / n;
        var perPool = PerPool(await ctx.Broker.MemoryAsync(cancellationToken), broker, n);
        started = Stopwatch.GetTimestamp();
        await Windowed.RunAsync(n, Concurrency, i => endpoints[i].StopAsync(cancellationToken));
        return new Result(total, perPool, heapKb, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task<Result> PipelineAsync(BenchContext ctx, PipelineRig pipeline, int n, CancellationToken cancellationToken)
    {
        PoolModel.Reset();
        var run = Guid.NewGuid().ToString("N")[..6];
        var broker = await ctx.Broker.MemoryAsync(cancellationToken);
        var heap = Heap();

        // A client of its own, closed before the process's memory is read: what remains is the host's.
        var client = await pipeline.ConnectClientAsync(cancellationToken);

        // One call first: MassTransit starts a bus's response endpoint on its first request and blocks every
        // concurrent first request's thread until it is up; 100 at once starve the thread pool for ~20 s on 2 cores
        // (docs/benchmarks.md, finding 2). That is a client start-up cost, not the pools'.
        await client.Client.Function("bench", "noop").RemoteAsync<object?>([], cancellationToken);
        var model = client.Client.Cls("bench", "pool-model");
        var started = Stopwatch.GetTimestamp();
        await Windowed.RunAsync(n, Concurrency, i => model.With(new { key = $"{run}-{i}" }).Method("ping").RemoteAsync<int>([], cancellationToken));
        var total = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var allServed = Stopwatch.GetTimestamp();
        await client.DisposeAsync();
        var heapKb = (Heap() - heap) / 1024.0 / n;
        var perPool = PerPool(await ctx.Broker.MemoryAsync(cancellationToken), broker, n);

        // Scale-down: the reconciler stops each pool once its container has been idle for the class's window.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(5));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (PoolModel.Exited < n)
        {
            await poll.WaitForNextTickAsync(deadline.Token);
        }

        var down = Stopwatch.GetElapsedTime(allServed).TotalSeconds - Seconds(PoolModel.Window);
        if (PoolModel.Entered != n)
        {
            ctx.Notes.Add($"Scenario 6: {PoolModel.Entered} containers entered for {n} parameter sets.");
        }

        return new Result(total, perPool, heapKb, down);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
