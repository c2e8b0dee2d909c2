using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline;
using Pipeline.Bench.Batching;
using Pipeline.Bench.Servers;
using Pipeline.Client;
using Pipeline.RabbitMq;
using Pipeline.WorkerHost;

// Throughput of one model call batched against unbatched, in the same run, against the local RabbitMQ: an in-process
// worker host (AddPipelineWorkerHost) serves both functions, a PipelineConnection calls them, in a virtual host of the
// run's own. Arguments: --calls N (2000) --rounds R (2) --in-flight M (256) --lone K (10).
var calls = Argument("--calls", 2000);
var rounds = Argument("--rounds", 2);
var inFlight = Argument("--in-flight", 256);
var lone = Argument("--lone", 10);

// Remote calls only: no results store, so nothing is written to a shared PostgreSQL schema.
Environment.SetEnvironmentVariable("PIPELINE_POSTGRES", null);
var amqp = Environment.GetEnvironmentVariable("PIPELINE_RABBITMQ") is { Length: > 0 } fromEnv ? fromEnv : "amqp://guest:guest@127.0.0.1:5672/";
await using var broker = await BenchBroker.CreateAsync(amqp, CancellationToken.None);

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Pipeline:RabbitMq:ConnectionString"] = broker.Amqp,
    ["Pipeline:RabbitMq:ManagementUri"] = broker.ManagementUri.ToString(),
    ["Pipeline:Worker:DetectGpus"] = "false",
});
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.Services.AddPipelineWorkerHost(builder.Configuration, [typeof(Inference).Assembly]);
using var host = builder.Build();
await host.StartAsync();

await using var connection = await PipelineConnection.ConnectAsync(
    new RabbitMqOptions { ConnectionString = broker.Amqp, ManagementUri = broker.ManagementUri },
    AppManifests.From(typeof(Inference).Assembly));
var unbatched = connection.Client.Function("bench-batching", "score");
var batched = connection.Client.Function("bench-batching", "score-batch");

Console.WriteLine($"Batching benchmark: {calls:N0} calls per run, {inFlight} in flight (MapAsync), {rounds} round(s) of each, alternating");
Console.WriteLine($"Workload: one simulated device, {Device.Overhead.TotalMilliseconds} ms per call + {Device.PerItem.TotalMilliseconds} ms per item; batched: MaxBatchSize {Inference.MaxBatchSize}, WaitMs {Inference.WaitMs}");
Console.WriteLine($"RabbitMQ {(await broker.VersionsAsync(CancellationToken.None)).RabbitMq} on {new Uri(amqp).Host}, {Environment.ProcessorCount} cores, load average {LoadAverage()} at start (other work on this machine counts)");

// Warm-up: pools form, code is jitted, the client's reply endpoint exists.
await RunAsync(unbatched, 200);
await RunAsync(batched, 200);

var results = new List<(string Name, double PerSecond, double ItemsPerDeviceCall)>();
for (var round = 1; round <= rounds; round++)
{
    foreach (var (name, function) in new[] { ("unbatched", unbatched), ("batched", batched) })
    {
        var before = Device.Totals;
        var elapsed = await RunAsync(function, calls);
        var after = Device.Totals;
        var deviceCalls = after.Calls - before.Calls;
        var perSecond = calls / elapsed.TotalSeconds;
        var itemsPerCall = (double)(after.Items - before.Items) / deviceCalls;
        var busy = (after.Busy - before.Busy) / elapsed;
        results.Add((name, perSecond, itemsPerCall));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round} {name,-9}: {perSecond,8:0} calls/s  ({elapsed.TotalSeconds:0.00} s; {deviceCalls} device calls, {itemsPerCall:0.0} items each; device busy {busy:P0})"));
    }
}

var unbatchedMean = results.Where(r => r.Name == "unbatched").Average(r => r.PerSecond);
var batchedMean = results.Where(r => r.Name == "batched").Average(r => r.PerSecond);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput: unbatched {unbatchedMean:0} calls/s, batched {batchedMean:0} calls/s, ratio {batchedMean / unbatchedMean:0.00}x (mean of rounds)"));

var unbatchedLone = await LoneAsync(unbatched, lone);
var batchedLone = await LoneAsync(batched, lone);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"lone input (median of {lone}, one call at a time): unbatched {unbatchedLone:0.0} ms, batched {batchedLone:0.0} ms; added {batchedLone - unbatchedLone:0.0} ms against WaitMs {Inference.WaitMs}"));
Console.WriteLine($"load average {LoadAverage()} at end");

await host.StopAsync();
return;

async Task<TimeSpan> RunAsync(FunctionHandle function, int count)
{
    var stopwatch = Stopwatch.StartNew();
    var sum = 0L;
    await foreach (var y in function.MapAsync<int>(Enumerable.Range(0, count).Select(i => (object?)i), new MapOptions { MaxInFlight = inFlight, OrderOutputs = false }))
    {
        sum += y;
    }

    var expected = 2L * count * (count - 1) / 2;
    return sum == expected ? stopwatch.Elapsed : throw new InvalidOperationException($"Results summed to {sum}, not {expected}: an input was lost or answered wrongly.");
}

static async Task<double> LoneAsync(FunctionHandle function, int count)
{
    var latencies = new List<double>();
    for (var i = 0; i < count; i++)
    {
        var stopwatch = Stopwatch.StartNew();
        await function.RemoteAsync<int>([i]);
        latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
    }

    latencies.Sort();
    return latencies[latencies.Count / 2];
}

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) && value > 0
        ? value
        : index >= 0 ? throw new ArgumentException($"{name} needs a positive whole number, e.g. {name} {fallback}.") : fallback;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
