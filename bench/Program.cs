using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MassTransit;
using Pipeline.Bench;
using Pipeline.Bench.Report;
using Pipeline.Bench.Scenarios;
using Pipeline.Bench.Servers;
using Pipeline.Bench.Subjects;

// dotnet run -c Release --project bench -- [--quick] [--markdown FILE] [--json FILE]
// Every scenario against the servers infra/up.sh starts (PIPELINE_RABBITMQ, PIPELINE_POSTGRES), in a virtual host and
// a PostgreSQL schema of this run's own, both removed at the end. See docs/benchmarks.md for what each figure means.
if (Environment.GetEnvironmentVariable(PipelineRig.ContainerPoolVariable) is { Length: > 0 })
{
    // Started by this run's worker host as a process container (scenario 5): serve that one pool, nothing else.
    return await PipelineRig.RunContainerAsync();
}

BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

BenchLogging.HostLevel = settings.Verbose ? Microsoft.Extensions.Logging.LogLevel.Information : Microsoft.Extensions.Logging.LogLevel.Warning;
using var monitor = settings.Verbose ? new Pipeline.Bench.Measuring.ThreadPoolMonitor() : null;
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var amqp = Environment.GetEnvironmentVariable("PIPELINE_RABBITMQ") is { Length: > 0 } r ? r : "amqp://guest:guest@127.0.0.1:5672/";
var postgres = Environment.GetEnvironmentVariable("PIPELINE_POSTGRES") is { Length: > 0 } p ? p : "Host=127.0.0.1;Port=5432;Username=pipeline;Password=pipeline;Database=pipeline";
var started = Stopwatch.GetTimestamp();
var ct = stop.Token;

await using var broker = await BenchBroker.CreateAsync(amqp, ct);
await using var database = new BenchDatabase(postgres);
await database.CheckAsync(ct);
var (rabbitVersion, erlangVersion) = await broker.VersionsAsync(ct);
var run = new RunInfo(
    settings.Quick ? "quick" : "full",
    DateTimeOffset.UtcNow,
    broker.VirtualHost,
    CpuModel(),
    Environment.ProcessorCount,
    RuntimeInformation.OSDescription,
    LoadAverage(),
    new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Runtime"] = RuntimeInformation.FrameworkDescription,
        ["RabbitMQ"] = rabbitVersion,
        ["Erlang"] = erlangVersion,
        ["MassTransit"] = Version(typeof(IBus)),
        ["RabbitMQ.Client"] = Version(typeof(RabbitMQ.Client.IChannel)),
        ["Hangfire.PostgreSql"] = Pipeline.Bench.Peers.HangfirePeer.Version,
        ["Npgsql"] = Version(typeof(Npgsql.NpgsqlConnection)),
    },
    settings);
var header = Header(settings, run);
Console.Error.WriteLine(header.Replace("\n\n", "\n", StringComparison.Ordinal));

await using var raw = await RawRabbit.ConnectAsync(broker.AmqpUri, ct);
await using var massTransit = await BareMassTransit.StartAsync(broker.AmqpUri, ct);
var ctx = new BenchContext(settings, broker, database, raw, massTransit);
// The peer first: a worker host in this process restricts Hangfire's process-wide type resolver (scenario 8).
var hangfire = settings.Runs(8) ? await PeerThroughput.MeasureHangfireAsync(ctx, ct) : null;
await using (await raw.ServeAsync(RemoteLatency.RawQueue, ct))
{
    // The host as shipped (defaults), for scenarios 1 to 5.
    await using (var pipeline = await PipelineRig.StartAsync(broker, database, cancellationToken: ct))
    {
        if (settings.Runs(1))
        {
            await SpawnThroughput.RunAsync(ctx, pipeline, ct);
        }

        if (settings.Runs(2))
        {
            await RemoteLatency.RunAsync(ctx, pipeline, ct);
        }

        // Before scenario 3, which runs at half the rate this measures.
        if (settings.Runs(4) || settings.Runs(3))
        {
            await MapThroughput.RunAsync(ctx, pipeline, ct);
        }

        if (settings.Runs(3))
        {
            await OpenLoopLatency.RunAsync(ctx, pipeline, ct);
        }

        if (settings.Runs(5))
        {
            await ColdStart.RunAsync(ctx, pipeline, ct);
        }

        if (hangfire is not null)
        {
            await PeerThroughput.RunAsync(ctx, pipeline, hangfire, ct);
        }
    }

    // The same host with one setting changed: a function pool's concurrency, which is also its prefetch.
    const string Tuned = "FunctionConcurrency=256";
    if (settings.Runs(1) || settings.Runs(4))
    {
        await using var tuned = await PipelineRig.StartAsync(broker, database, PipelineRig.Worker(("FunctionConcurrency", 256)), ct);
        if (settings.Runs(1))
        {
            await SpawnThroughput.TunedAsync(ctx, tuned, Tuned, ct);
        }

        if (settings.Runs(4))
        {
            await MapThroughput.TunedAsync(ctx, tuned, Tuned, ct);
        }
    }
}

// Room for every pool in one host (CpuSlots), and a reconcile every second so scale-down is seen promptly.
if (settings.Runs(6))
{
    await using var pools = await PipelineRig.StartAsync(broker, database, PipelineRig.Worker(("CpuSlots", settings.Pools + 64), ("ReconcileInterval", "00:00:01")), ct);
    await PoolScale.RunAsync(ctx, pools, ct);
}

if (settings.Runs(7))
{
    await ConsumerCost.RunAsync(ctx, ct);
}

var figures = ctx.Figures.OrderBy(f => f.Scenario[..2], StringComparer.Ordinal).ToList();
var elapsed = Stopwatch.GetElapsedTime(started);
ctx.Notes.Add("");
run.LoadAtEnd = LoadAverage();
run.Seconds = Math.Round(elapsed.TotalSeconds, 1);
ctx.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"Run took {elapsed.TotalSeconds:0} s; load average at the end: {run.LoadAtEnd}."));
Console.WriteLine();
Console.WriteLine(header);
ReportWriter.Print(figures, ctx.Notes);
if (settings.MarkdownPath is { } path)
{
    await File.WriteAllTextAsync(path, ReportWriter.Markdown(figures, ctx.Notes, header), ct);
    Console.Error.WriteLine($"Markdown written to {path}");
}

if (settings.JsonPath is { } jsonPath)
{
    await File.WriteAllTextAsync(jsonPath, JsonReport.Write(run, figures, ctx.Notes), ct);
    Console.Error.WriteLine($"JSON written to {jsonPath}");
}

return 0;

static string Header(BenchSettings settings, RunInfo run) => string.Join("\n\n",
[
    $"Pipeline bench, {(settings.Quick ? "--quick" : "full run")}{(settings.Only.Count > 0 ? $", only scenarios {string.Join(",", settings.Only.Order())}" : "")}, {run.StartedAt:yyyy-MM-dd HH:mm} UTC, virtual host {run.VirtualHost}",
    $"Machine: {run.Cpu}, {run.Cores} cores, {run.OperatingSystem}; load average at start: {run.LoadAtStart}",
    $"Versions: {string.Join(", ", run.Versions.Select(v => v.Key == "Erlang" ? null : v.Key == "RabbitMQ" ? $"RabbitMQ {v.Value} (Erlang {run.Versions["Erlang"]})" : v.Key == "Runtime" ? v.Value : $"{v.Key} {v.Value}").Where(v => v is not null))}",
    string.Create(CultureInfo.InvariantCulture, $"Sizes: {settings.Messages:#,0} messages x {settings.Repetitions} repetitions (median), {settings.Window} outstanding, {settings.ClosedLoopCalls:#,0} closed-loop calls, {settings.OpenLoopDuration.TotalSeconds:0} s per open-loop rate, {settings.MapInputs:#,0} map inputs x {settings.MapRepetitions}, {settings.ColdStarts} cold starts ({settings.ProcessColdStarts} of process containers), {settings.Pools:#,0} pools, {settings.DrainMessages:#,0} drained"),
]);

static string Version(Type type) =>
    type.Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is [System.Reflection.AssemblyInformationalVersionAttribute v, ..]
        ? v.InformationalVersion.Split('+')[0]
        : type.Assembly.GetName().Version?.ToString() ?? "?";

static string CpuModel() =>
    File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
        ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
        : RuntimeInformation.ProcessArchitecture.ToString();

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
