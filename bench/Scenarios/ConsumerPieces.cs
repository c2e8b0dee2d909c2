using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Pipeline.Bench.App;
using Pipeline.Bench.Measuring;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Bench.Scenarios;

/// <summary>
/// Scenario 7's second half: the pieces of work the worker's consumer path does for every input on top of
/// MassTransit's own, each measured alone, so the difference between Pipeline and bare MassTransit has names.
/// Only public pieces can be called from here; each mirrors what src/Consumers does per input (see docs/benchmarks.md).
/// </summary>
internal static class ConsumerPieces
{
    public static void Run(BenchContext ctx)
    {
        var schema = new ParameterSchema("bench.model", [new ParameterSpec("name", ParameterType.String), new ParameterSpec("size", ParameterType.Int, ParameterValue.FromInt(100))]);
        var parameters = JsonDocument.Parse("{\"name\":\"llama\",\"size\":7}").RootElement.Clone();
        var echo = typeof(Jobs).GetMethod(nameof(Jobs.Echo))!;
        var args = JsonDocument.Parse("[7]").RootElement.Clone();
        var pieces = new (string Name, Action Action)[]
        {
            ("name normalization in registry lookup (app + function, Names.Normalize x2)", () => _ = Names.Normalize("bench") + Names.Normalize("noop")),
            ("expected queue of a function input (QueueNames.ForFunction)", () => _ = QueueNames.ForFunction("bench", "noop")),
            ("expected queue of a method input (BindJson + QueueNames.ForClass, SHA-256)", () => _ = QueueNames.ForClass("bench", "model", schema.BindJson(parameters))),
            ("timeout + cancel + linked CancellationTokenSource with a timer", () =>
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5), TimeProvider.System);
                using var cancel = new CancellationTokenSource();
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None, timeout.Token, cancel.Token);
            }),
            ("argument binding ([7] to int, JsonElement.Deserialize)", () => _ = args[0].Deserialize<int>(PayloadJson.Options)),
            ("reflection call of the function (MethodInfo.Invoke, boxed result)", () => _ = echo.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [7], null)),
            ("result to JSON (SerializeToElement of an int)", () => _ = JsonSerializer.SerializeToElement((object)7, typeof(int), PayloadJson.Options)),
            ("outcome record (InvocationCompleted) with UtcNow x3", () => _ = new InvocationCompleted { CallId = "fc-x", Status = InvocationStatus.Succeeded, StartedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow }),
        };

        ctx.Notes.Add("");
        ctx.Notes.Add("Scenario 7, Pipeline's own per-input pieces, each measured alone (bytes, ns per input):");
        double bytes = 0, ns = 0;
        foreach (var (name, action) in pieces)
        {
            var (b, t) = MicroCost.Measure(action);
            if (!name.Contains("method input", StringComparison.Ordinal))
            {
                bytes += b;
                ns += t;
            }

            ctx.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"  {b,6:0} B {t,8:0} ns  {name}"));
        }

        ctx.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"  {bytes,6:0} B {ns,8:0} ns  sum for a function input"));
    }
}
