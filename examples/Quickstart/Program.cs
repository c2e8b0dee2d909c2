using Microsoft.Extensions.Logging;
using Pipeline;
using Pipeline.Client;
using Pipeline.Embedded;
using Quickstart;

[assembly: App("quickstart")]

Console.WriteLine("Starting an embedded pipeline (no servers)...");
await using (var pipeline = await EmbeddedPipeline.StartAsync(
    [typeof(Model).Assembly],
    options => options.Logging = logging => logging
        .AddSimpleConsole(console => console.SingleLine = true)
        .SetMinimumLevel(Environment.GetEnvironmentVariable("QUICKSTART_LOG") is { } level ? Enum.Parse<LogLevel>(level) : LogLevel.Warning)))
{
    var client = pipeline.Client;
    using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
    var ct = deadline.Token;

    // remote: call a function and wait for its result. The compiler checks the name, the argument and the result type.
    var jobs = client.Function<IJobs>();
    int square = await jobs.RemoteAsync(j => j.Square(7));
    Console.WriteLine($"remote  square(7) = {square}");

    // Two parameter sets of one class: two pools, each entered once.
    var llama = client.Cls<IModel, ModelParameters>(new("llama", Size: 7));
    var mistral = client.Cls<IModel, ModelParameters>(new("mistral")); // Size defaults to 100
    Console.WriteLine($"pools   {llama.Queue} and {mistral.Queue}");
    Console.WriteLine($"remote  {await llama.RemoteAsync(m => m.Generate("hi"))}");
    Console.WriteLine($"remote  {await mistral.RemoteAsync(m => m.Generate("hello"))}");

    // spawn / get: start now, collect later, by id (from any process: client.Call<string>(id)).
    FunctionCall<string> call = await jobs.SpawnAsync(j => j.ReportAsync("weekly", ct));
    Console.WriteLine($"spawn   {call.Id}");
    Console.WriteLine($"get     {await client.Call<string>(call.Id).GetAsync(TimeSpan.FromSeconds(10), ct)}");

    // map: many inputs, results in input order.
    var counts = await llama.MapAsync(["a b c", "d e", "f", "g h i j"], (m, text) => m.CountTokens(text)).ToListAsync(ct);
    Console.WriteLine($"map     llama count-tokens = [{string.Join(", ", counts)}]");
    var squares = await jobs.MapAsync(Enumerable.Range(1, 10), (j, x) => j.Square(x)).ToListAsync(ct);
    Console.WriteLine($"map     square(1..10) = [{string.Join(", ", squares)}]");

    // The untyped layer underneath, as the CLI, the gateway and other languages use it: the same call.
    Console.WriteLine($"untyped square(8) = {await client.Function("quickstart", "square").RemoteAsync<int>([8], ct)}");

    // Errors come back as typed exceptions (all RemoteException) with the remote type, message and stack trace.
    try
    {
        await jobs.RemoteAsync(j => j.Fail("on purpose"));
    }
    catch (RemoteFailedException e)
    {
        Console.WriteLine($"error   {e.RemoteType}: {e.RemoteMessage}");
    }

    Console.WriteLine("Stopping: every container runs its exit hook...");
}

Console.WriteLine("Done.");
