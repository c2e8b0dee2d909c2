using System.Diagnostics;
using Pipeline.Bench.App;
using Pipeline.Bench.Measuring;
using Pipeline.Bench.Report;
using Pipeline.Bench.Subjects;
using Pipeline.Client;

namespace Pipeline.Bench.Scenarios;

/// <summary>
/// Scenario 1: fire-and-forget inputs of a no-op, from the first publish until the consumer has run the last one;
/// the subjects take turns in each repetition and the median is reported.
/// </summary>
internal static class SpawnThroughput
{
    public const string Name = "1. Spawn throughput";
    public const int SpawnWindow = 256;
    private const string RawQueue = "raw.throughput";

    public static async Task RunAsync(BenchContext ctx, PipelineRig pipeline, CancellationToken cancellationToken)
    {
        var s = ctx.Settings;
        await ctx.Raw.DeclareAsync(RawQueue, cancellationToken);
        var noop = pipeline.Client.Function("bench", "noop");

        // Warm-up: JIT, connections, the Pipeline pool's start, MassTransit's send endpoint cache.
        await RawAsync(ctx, s.Messages / 5, cancellationToken);
        await MassTransitAsync(ctx, s.Messages / 5, cancellationToken);
        await PipelineAsync(ctx, noop, s.Messages / 5, cancellationToken);

        var raw = new List<Run>();
        var mt = new List<Run>();
        var pl = new List<Run>();
        for (var rep = 0; rep < s.Repetitions; rep++)
        {
            raw.Add(await RawAsync(ctx, s.Messages, cancellationToken));
            mt.Add(await MassTransitAsync(ctx, s.Messages, cancellationToken));
            pl.Add(await PipelineAsync(ctx, noop, s.Messages, cancellationToken));
            ctx.Progress($"{Name} rep {rep + 1}: raw {raw[^1].Rate:0} msg/s, MassTransit {mt[^1].Rate:0}, Pipeline {pl[^1].Rate:0}");
        }

        ctx.Measured["raw"] = Median(raw, r => r.Rate)!.Value;
        ctx.Measured["mt"] = Median(mt, r => r.Rate)!.Value;
        ctx.Figures.Add(new Figure(Name, "fire-and-forget, publish to consumed", "msg/s", Median(pl, r => r.Rate), ctx.Measured["raw"], ctx.Measured["mt"],
            Goal.AtLeast(0.9, Baseline.MassTransit), Goal.AtLeast(0.5, Baseline.Raw)));
        AddSpread(ctx, "fire-and-forget", pl, mt);
        ctx.Measured["cpu-raw"] = Median(raw, r => r.ProcessUs)!.Value;
        ctx.Measured["cpu-mt"] = Median(mt, r => r.ProcessUs)!.Value;
        ctx.Figures.Add(new Figure(Name, "CPU per input, this process (sender + consumer)", "us", Median(pl, r => r.ProcessUs), Median(raw, r => r.ProcessUs), Median(mt, r => r.ProcessUs)));
        ctx.Figures.Add(new Figure(Name, "CPU per input, broker", "us", Median(pl, r => r.BrokerUs), Median(raw, r => r.BrokerUs), Median(mt, r => r.BrokerUs)));

        // Spawn proper: the same, with every result recorded in PostgreSQL for get-by-id from any process.
        var spawned = new List<SpawnRun>();
        var count = Math.Max(500, s.Messages / 4);
        for (var rep = 0; rep < Math.Max(1, s.Repetitions / 2); rep++)
        {
            spawned.Add(await SpawnWithResultsAsync(ctx, noop, count, cancellationToken));
        }

        var rate = Repeat.Median(spawned.Select(r => r.Rate).ToList());
        ctx.Measured["spawn-results"] = rate;
        ctx.Progress($"{Name}: spawn with results in PostgreSQL {rate:0} msg/s");
        ctx.Figures.Add(new Figure(Name, $"spawn, results in PostgreSQL ({SpawnWindow} outstanding)", "msg/s", rate, ctx.Measured["raw"], ctx.Measured["mt"],
            Goal.AtLeast(0.35, Baseline.Raw)));
        AddProfile(ctx, Name, "spawn with results", spawned);
    }

    /// <summary>
    /// The same measurement on a host with another configuration (a knob, not a code change), with both baselines
    /// measured again in turns with it: this machine's load moves between phases, a ratio must not.
    /// </summary>
    public static async Task TunedAsync(BenchContext ctx, PipelineRig pipeline, string label, CancellationToken cancellationToken)
    {
        var noop = pipeline.Client.Function("bench", "noop");
        await PipelineAsync(ctx, noop, ctx.Settings.Messages / 5, cancellationToken);
        var raw = new List<Run>();
        var mt = new List<Run>();
        var pl = new List<Run>();
        for (var rep = 0; rep < ctx.Settings.Repetitions; rep++)
        {
            raw.Add(await RawAsync(ctx, ctx.Settings.Messages, cancellationToken));
            mt.Add(await MassTransitAsync(ctx, ctx.Settings.Messages, cancellationToken));
            pl.Add(await PipelineAsync(ctx, noop, ctx.Settings.Messages, cancellationToken));
        }

        ctx.Measured["raw-tuned-phase"] = Median(raw, r => r.Rate)!.Value;
        ctx.Progress($"{Name}, {label}: raw {Median(raw, r => r.Rate):0} msg/s, MassTransit {Median(mt, r => r.Rate):0}, Pipeline {Median(pl, r => r.Rate):0}");
        ctx.Figures.Add(new Figure(Name, $"fire-and-forget, {label} (baselines measured again)", "msg/s", Median(pl, r => r.Rate), Median(raw, r => r.Rate), Median(mt, r => r.Rate),
            Goal.AtLeast(0.9, Baseline.MassTransit), Goal.AtLeast(0.5, Baseline.Raw)));
        ctx.Figures.Add(new Figure(Name, $"CPU per input, this process, {label}", "us", Median(pl, r => r.ProcessUs), Median(raw, r => r.ProcessUs), Median(mt, r => r.ProcessUs)));
        ctx.Figures.Add(new Figure(Name, $"CPU per input, broker, {label}", "us", Median(pl, r => r.BrokerUs), Median(raw, r => r.BrokerUs), Median(mt, r => r.BrokerUs)));

        // Spawn with results on this host: how much of its rate is the pool's concurrency waiting on PostgreSQL round trips.
        var spawned = new List<SpawnRun>();
        for (var rep = 0; rep < Math.Max(1, ctx.Settings.Repetitions / 2); rep++)
        {
            spawned.Add(await SpawnWithResultsAsync(ctx, noop, Math.Max(500, ctx.Settings.Messages / 4), cancellationToken));
        }

        var rate = Repeat.Median(spawned.Select(r => r.Rate).ToList());
        ctx.Progress($"{Name}, {label}: spawn with results in PostgreSQL {rate:0} msg/s");
        ctx.Figures.Add(new Figure(Name, $"spawn, results in PostgreSQL, {label}", "msg/s", rate, Median(raw, r => r.Rate), Median(mt, r => r.Rate),
            Goal.AtLeast(0.35, Baseline.Raw)));
    }

    /// <summary>
    /// Where a spawn with results spends: CPU per input in this process, the broker and PostgreSQL, and PostgreSQL
    /// commits per input (the client's pending row and the host's outcome are batched, so well under two).
    /// </summary>
    internal static void AddProfile(BenchContext ctx, string scenario, string label, IReadOnlyList<SpawnRun> runs, IReadOnlyList<SpawnRun>? peer = null)
    {
        double? Med(IReadOnlyList<SpawnRun>? of, Func<SpawnRun, double?> figure) =>
            of?.Select(figure).Where(v => v is not null).Select(v => v!.Value).ToList() is { Count: > 0 } values ? Repeat.Median(values) : null;
        ctx.Figures.Add(new Figure(scenario, $"{label}: CPU per input, this process", "us", Med(runs, r => r.ProcessUs), Med(peer, r => r.ProcessUs), null));
        ctx.Figures.Add(new Figure(scenario, $"{label}: CPU per input, broker", "us", Med(runs, r => r.BrokerUs), Med(peer, r => r.BrokerUs), null));
        ctx.Figures.Add(new Figure(scenario, $"{label}: CPU per input, PostgreSQL", "us", Med(runs, r => r.PostgresUs), Med(peer, r => r.PostgresUs), null));
        ctx.Figures.Add(new Figure(scenario, $"{label}: PostgreSQL commits per input", "commits", Med(runs, r => r.Commits), Med(peer, r => r.Commits), null));
    }

    /// <summary>One spawn-with-results repetition: inputs per second, and CPU microseconds and commits per input.</summary>
    internal sealed record SpawnRun(double Rate, double ProcessUs, double? BrokerUs, double? PostgresUs, double Commits);

    /// <summary>
    /// How steady the ratio to MassTransit is: the repetitions take turns, so repetition i of each subject ran under the
    /// same load. The row is the worst repetition (its two rates, so its ratio is the lowest); the note lists them all.
    /// </summary>
    private static void AddSpread(BenchContext ctx, string label, List<Run> pl, List<Run> mt)
    {
        var ratios = pl.Zip(mt, (p, m) => (P: p.Rate, M: m.Rate, Ratio: p.Rate / m.Rate)).ToList();
        var worst = ratios.MinBy(r => r.Ratio);
        ctx.Figures.Add(new Figure(Name, $"{label}, worst of {ratios.Count} repetitions (P / MT per repetition in the notes)", "msg/s", worst.P, null, worst.M,
            Goal.AtLeast(0.95, Baseline.MassTransit)));
        ctx.Notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Scenario 1 {label}, P / MassTransit per repetition: {string.Join(", ", ratios.Select(r => r.Ratio.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))} (spread {ratios.Min(r => r.Ratio):0.00} to {ratios.Max(r => r.Ratio):0.00})."));
    }

    /// <summary>One repetition: messages per second, and CPU microseconds per message in this process and in the broker.</summary>
    private sealed record Run(double Rate, double ProcessUs, double? BrokerUs);

    private static double? Median(List<Run> runs, Func<Run, double?> figure) =>
        runs.Select(figure).Where(v => v is not null).Select(v => v!.Value).ToList() is { Count: > 0 } values ? Repeat.Median(values) : null;

    private static async Task<Run> TimedAsync(int count, Func<Task> run)
    {
        var cpu = CpuMeter.Now();
        var started = Stopwatch.GetTimestamp();
        await run();
        var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (process, broker) = CpuMeter.PerMessage(cpu, count);
        return new Run(rate, process, broker);
    }

    private static async Task<Run> RawAsync(BenchContext ctx, int count, CancellationToken cancellationToken)
    {
        var done = Probe.Arm(count);
        await using var consumer = await ctx.Raw.ConsumeAsync(RawQueue, count, cancellationToken);
        return await TimedAsync(count, async () =>
        {
            await ctx.Raw.PublishAsync(RawQueue, count, ctx.Settings.Window, cancellationToken);
            await BenchContext.Within(done, TimeSpan.FromMinutes(2), "raw throughput");
        });
    }

    private static Task<Run> MassTransitAsync(BenchContext ctx, int count, CancellationToken cancellationToken)
    {
        var done = Probe.Arm(count);
        return TimedAsync(count, async () =>
        {
            await ctx.MassTransit.SendAsync(BareMassTransit.ThroughputQueue, count, ctx.Settings.Window, cancellationToken);
            await BenchContext.Within(done, TimeSpan.FromMinutes(2), "MassTransit throughput");
        });
    }

    private static Task<Run> PipelineAsync(BenchContext ctx, FunctionHandle noop, int count, CancellationToken cancellationToken)
    {
        var done = Probe.Arm(count);
        return TimedAsync(count, async () =>
        {
            await Windowed.RunAsync(count, ctx.Settings.Window, _ => noop.SendAsync([], cancellationToken));
            await BenchContext.Within(done, TimeSpan.FromMinutes(2), "Pipeline fire-and-forget");
        });
    }

    internal static async Task<SpawnRun> SpawnWithResultsAsync(BenchContext ctx, FunctionHandle noop, int count, CancellationToken cancellationToken)
    {
        var before = await FinishedAsync(ctx, cancellationToken);
        var done = Probe.Arm(count);
        var postgres = await PostgresMeter.NowAsync(ctx.Database.ConnectionString, cancellationToken);
        var cpu = CpuMeter.Now();
        var started = Stopwatch.GetTimestamp();
        // Each spawn registers its call in PostgreSQL before sending, and each host records the result: with hundreds
        // outstanding, the client's and the host's connection pools (100 each by default) exhaust the server's 100.
        await Windowed.RunAsync(count, SpawnWindow, _ => noop.SpawnAsync([], cancellationToken));
        await BenchContext.Within(done, TimeSpan.FromMinutes(2), "Pipeline spawn");
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        while (await FinishedAsync(ctx, deadline.Token) < before + count)
        {
            await poll.WaitForNextTickAsync(deadline.Token);
        }

        var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (process, broker) = CpuMeter.PerMessage(cpu, count);
        var (postgresUs, commits) = await postgres.PerMessageAsync(ctx.Database.ConnectionString, count, cancellationToken);
        return new SpawnRun(rate, process, broker, postgresUs, commits);
    }

    private static async Task<long> FinishedAsync(BenchContext ctx, CancellationToken cancellationToken)
    {
        try
        {
            return await ctx.Database.FinishedCallsAsync(cancellationToken);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            // The store makes its table on first use.
            return 0;
        }
    }
}
