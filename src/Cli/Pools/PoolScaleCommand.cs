using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Cli.Hosting;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Cli.Pools;

/// <summary>
/// <c>pipeline pools scale &lt;pool&gt; --min N --max N --buffer N</c> (Modal's <c>update_autoscaler</c>): stores the
/// pool's autoscaler settings in PostgreSQL (the results database), where every worker host reads them on its next
/// reconcile tick; they outlive restarts until <c>--reset</c>. A setting not given keeps its stored value, else the app's.
/// </summary>
internal static class PoolScaleCommand
{
    public static Command Create(GlobalOptions global)
    {
        var pool = new Argument<string>("pool") { Description = "The pool queue (pipeline pools lists them)." };
        var min = new Option<int?>("--min") { Description = "Containers kept running across all hosts, even without input (MinContainers).", HelpName = "n" };
        var max = new Option<int?>("--max") { Description = "The most containers across all hosts; 0 means no limit (MaxContainers).", HelpName = "n" };
        var buffer = new Option<int?>("--buffer") { Description = "Extra idle containers kept while the pool is busy (BufferContainers).", HelpName = "n" };
        var reset = new Option<bool>("--reset") { Description = "Forget the stored settings: the app's attributes apply again." };
        var command = new Command("scale", "Change a pool's autoscaler on the running hosts, without a restart; the change outlives restarts.") { pool, min, max, buffer, reset };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var queue = result.GetRequiredValue(pool).Trim();
            var (newMin, newMax, newBuffer, forget) = (result.GetValue(min), result.GetValue(max), result.GetValue(buffer), result.GetValue(reset));
            Validate(newMin, newMax, newBuffer, forget);

            await Reachability.CheckRabbitMqAsync(settings.RabbitMq, settings.RabbitMqSource, settings.ConnectTimeout, cancellationToken);
            var topology = new BrokerTopology(Options.Create(settings.RabbitMq), NullLogger<BrokerTopology>.Instance);
            await using (topology.ConfigureAwait(false))
            {
                if (await topology.PeekAsync(queue, cancellationToken) is null)
                {
                    throw new CliException($"no pool queue '{queue}' in this virtual host; pipeline pools lists the pools (a pool's queue is made by its first call)", ExitCodes.Usage);
                }
            }

            await Reachability.CheckPostgresAsync(settings.Results.EffectiveConnectionString, settings.PostgresSource, settings.ConnectTimeout, cancellationToken);
            var results = new PostgresResultStore(settings.Results, TimeProvider.System);
            await using (results)
            {
                var store = new PoolScalingStore(results.DataSource, settings.Results.Schema);
                if (forget)
                {
                    var had = await store.ResetAsync(queue, cancellationToken);
                    output.Out.WriteLine(had
                        ? $"{queue}: stored autoscaler settings removed; the app's attributes apply from the hosts' next reconcile."
                        : $"{queue}: had no stored autoscaler settings; the app's attributes apply.");
                    return ExitCodes.Ok;
                }

                var before = await store.ReadAsync(queue, cancellationToken);
                var after = new StoredPoolScale(queue, newMin ?? before?.Min, newMax ?? before?.Max, newBuffer ?? before?.Buffer, DateTimeOffset.UtcNow);
                if (after is { Min: { } lo, Max: { } hi } && hi > 0 && lo > hi)
                {
                    throw new CliException($"--min {lo} is above --max {hi} (stored or given); give both, with min <= max (0 means no maximum)", ExitCodes.Usage);
                }

                await store.SetAsync(after, cancellationToken);
                if (output.Json)
                {
                    output.WriteJson(new { pool = queue, min = after.Min, max = after.Max, buffer = after.Buffer });
                }
                else
                {
                    output.Out.WriteLine($"{queue}: min {Show(after.Min)}, max {Show(after.Max)}, buffer {Show(after.Buffer)}; running hosts apply it on their next reconcile tick.");
                }

                return ExitCodes.Ok;
            }
        }));
        return command;
    }

    private static void Validate(int? min, int? max, int? buffer, bool reset)
    {
        if (reset && (min ?? max ?? buffer) is not null)
        {
            throw new CliException("--reset takes no --min, --max or --buffer; run it alone, then set what you want", ExitCodes.Usage);
        }

        if (!reset && min is null && max is null && buffer is null)
        {
            throw new CliException("nothing to change: give --min, --max and/or --buffer (or --reset)", ExitCodes.Usage);
        }

        foreach (var (name, value) in new[] { ("--min", min), ("--max", max), ("--buffer", buffer) })
        {
            if (value is < 0 or > 1000)
            {
                throw new CliException($"{name} {value} is out of range; use 0 to 1000", ExitCodes.Usage);
            }
        }

        if (min is { } lo && max is { } hi && hi > 0 && lo > hi)
        {
            throw new CliException($"--min {lo} is above --max {hi}; use min <= max (0 means no maximum)", ExitCodes.Usage);
        }
    }

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "as the app says";
}
