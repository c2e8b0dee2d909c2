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

    // remote: call a function and wait for its result.
    var square = await client.Function("quickstart", "square").RemoteAsync<int>([7]);
    Console.WriteLine($"remote  square(7) = {square}");

    // Two parameter sets of one class: two pools, each entered once.
    var llama = client.Cls("quickstart", "Model").With(new { name = "llama", size = 7 });
    var mistral = client.Cls("quickstart", "Model").With(new { name = "mistral" }); // size defaults to 100
    Console.WriteLine($"pools   {llama.Queue} and {mistral.Queue}");
    Console.WriteLine($"remote  {await llama.Method("generate").RemoteAsync<string>(["hi"])}");
    Console.WriteLine($"remote  {await mistral.Method("Generate").RemoteAsync<string>(["hello"])}");

    // spawn / get: start now, collect later, by id.
    var call = await client.Function("quickstart", "report").SpawnAsync(["weekly"]);
    Console.WriteLine($"spawn   {call.Id}");
    Console.WriteLine($"get     {await client.Call(call.Id).GetAsync<string>(TimeSpan.FromSeconds(10))}");

    // map: many inputs, results in input order.
    var counts = new List<int>();
    await foreach (var count in llama.Method("count-tokens").MapAsync<int>(["a b c", "d e", "f", "g h i j"]))
    {
        counts.Add(count);
    }

    Console.WriteLine($"map     llama count-tokens = [{string.Join(", ", counts)}]");
    var squares = new List<int>();
    await foreach (var value in client.Function("quickstart", "square").MapAsync<int>(Enumerable.Range(1, 10).Cast<object?>()))
    {
        squares.Add(value);
    }

    Console.WriteLine($"map     square(1..10) = [{string.Join(", ", squares)}]");

    // Errors come back with the remote type, message and stack trace.
    try
    {
        await client.Function("quickstart", "fail").RemoteAsync<string>(["on purpose"]);
    }
    catch (RemoteException e)
    {
        Console.WriteLine($"error   {e.RemoteType}: {e.RemoteMessage}");
    }

    Console.WriteLine("Stopping: every container runs its exit hook...");
}

Console.WriteLine("Done.");
