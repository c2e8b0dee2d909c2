using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Pipeline.Bench.App;
using Pipeline.Bench.Measuring;
using Pipeline.Bench.Peers;
using Pipeline.Bench.Report;
using Pipeline.Bench.Subjects;

namespace Pipeline.Bench.Scenarios;

/// <summary>
/// Scenario 8: the peer a .NET team would pick instead, on the same PostgreSQL and in the same run. Throughput: a no-op
/// job submitted in bulk until every result is kept (Hangfire: enqueued until its Succeeded state is written; Pipeline:
/// spawned until the host recorded the result in PostgreSQL). Latency: one caller, submit to the job starting.
/// </summary>
internal static class PeerThroughput
{
    public const string Name = "8. Peers: Hangfire";

    /// <summary>
    /// Enqueuers at once: Hangfire's Enqueue is a blocking database round trip, so parallel callers, not a window of tasks.
    /// 16, with the peer's 10 workers, stays within its pool (<see cref="HangfirePeer.MaxConnections"/>): with 32 and
    /// Npgsql's default pool of 100, a run on a PostgreSQL shared with other test runs took the server's last slots.
    /// </summary>
    private const int Enqueuers = 16;

    /// <summary>
    /// Hangfire's half, before any Pipeline worker host starts in this process: a worker host restricts Hangfire's
    /// process-wide type resolver to its own retry job (DESIGN.md: never load a type a message names), which would
    /// refuse the peer's job.
    /// </summary>
    public static async Task<HangfireFigures> MeasureHangfireAsync(BenchContext ctx, CancellationToken cancellationToken)
    {
        var s = ctx.Settings;
        await using var hangfire = HangfirePeer.Start(ctx.Database.ConnectionString, ctx.Database.Schema + "_hangfire");
        var count = Count(s);
        await HangfireThroughputAsync(ctx, hangfire, count / 5, cancellationToken); // warm-up: schema, workers, JIT
        var rates = new List<SpawnThroughput.SpawnRun>();
        for (var rep = 0; rep < Reps(s); rep++)
        {
            rates.Add(await HangfireThroughputAsync(ctx, hangfire, count, cancellationToken));
            ctx.Progress($"{Name} rep {rep + 1}: Hangfire {rates[^1].Rate:0} jobs/s");
        }

        var latency = await Latencies.ClosedLoopAsync(s.Quick ? 100 : 300, async () =>
        {
            var started = HangfireJobs.Arm(1);
            hangfire.Client.Enqueue(() => HangfireJobs.Noop(1));
            await BenchContext.Within(started, TimeSpan.FromSeconds(30), "a Hangfire job's start");
        });
        return new HangfireFigures(Repeat.Median(rates.Select(r => r.Rate).ToList()), rates, latency, hangfire.Workers);
    }

    /// <summary>Pipeline's half, on the host as shipped, and the comparison.</summary>
    public static async Task RunAsync(BenchContext ctx, PipelineRig pipeline, HangfireFigures hangfire, CancellationToken cancellationToken)
    {
        var s = ctx.Settings;
        var noop = pipeline.Client.Function("bench", "noop");
        var count = Count(s);
        await SpawnThroughput.SpawnWithResultsAsync(ctx, noop, count / 5, cancellationToken);
        var ours = new List<SpawnThroughput.SpawnRun>();
        for (var rep = 0; rep < Reps(s); rep++)
        {
            ours.Add(await SpawnThroughput.SpawnWithResultsAsync(ctx, noop, count, cancellationToken));
            ctx.Progress($"{Name} rep {rep + 1}: Pipeline spawn with results {ours[^1].Rate:0} inputs/s");
        }

        var ourLatency = await Latencies.ClosedLoopAsync(s.Quick ? 100 : 300, async () =>
        {
            var started = Probe.Arm(1);
            await noop.SpawnAsync([], cancellationToken);
            await BenchContext.Within(started, TimeSpan.FromSeconds(30), "a spawned input's start");
        });

        var hf = hangfire.Rate;
        var pl = Repeat.Median(ours.Select(r => r.Rate).ToList());
        ctx.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Peer: Hangfire.PostgreSql {HangfirePeer.Version} ({hangfire.Workers} workers, long polling, 50 ms queue poll, {Enqueuers} enqueuers), measured first in this run: {hf:#,0} jobs/s enqueued to Succeeded; Pipeline spawn with results {pl:#,0} inputs/s = {pl / hf:0.0}x Hangfire (goal: at least 20x). Submit to start, one caller: Hangfire p50 {hangfire.Latency.Ms(50):0.00} ms, p99 {hangfire.Latency.Ms(99):0.00} ms; Pipeline spawn p50 {ourLatency.Ms(50):0.00} ms, p99 {ourLatency.Ms(99):0.00} ms."));
        ctx.Figures.Add(new Figure(Name, "spawn with results vs Hangfire enqueue to Succeeded (Raw column: Hangfire)", "msg/s", pl, hf, null, Goal.AtLeast(20, Baseline.Raw)));
        ctx.Figures.Add(new Figure(Name, "submit to start p50, one caller (Raw column: Hangfire)", "ms", ourLatency.Ms(50), hangfire.Latency.Ms(50), null));
        ctx.Figures.Add(new Figure(Name, "submit to start p99, one caller (Raw column: Hangfire)", "ms", ourLatency.Ms(99), hangfire.Latency.Ms(99), null));
        SpawnThroughput.AddProfile(ctx, Name, "per input (Raw column: Hangfire)", ours, hangfire.Runs);
    }

    private static int Count(BenchSettings s) => Math.Max(500, s.Messages / 4);

    private static int Reps(BenchSettings s) => Math.Max(1, s.Repetitions / 2);

    private static async Task<SpawnThroughput.SpawnRun> HangfireThroughputAsync(BenchContext ctx, HangfirePeer hangfire, int count, CancellationToken cancellationToken)
    {
        var before = hangfire.Succeeded();
        var postgres = await PostgresMeter.NowAsync(ctx.Database.ConnectionString, cancellationToken);
        var cpu = CpuMeter.Now();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Enqueuers, CancellationToken = cancellationToken }, (i, _) =>
        {
            hangfire.Client.Enqueue(() => HangfireJobs.Noop(i));
            return ValueTask.CompletedTask;
        });

        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(5));
        while (hangfire.Succeeded() < before + count)
        {
            await poll.WaitForNextTickAsync(deadline.Token);
        }

        var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (process, broker) = CpuMeter.PerMessage(cpu, count);
        var (postgresUs, commits) = await postgres.PerMessageAsync(ctx.Database.ConnectionString, count, cancellationToken);
        return new SpawnThroughput.SpawnRun(rate, process, broker, postgresUs, commits);
    }

    /// <summary>What the peer measured: jobs per second to Succeeded (median, and each repetition's profile), submit-to-start latencies, its worker count.</summary>
    internal sealed record HangfireFigures(double Rate, IReadOnlyList<SpawnThroughput.SpawnRun> Runs, Latencies Latency, int Workers);
}
