using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Cli.Hosting;
using Pipeline.RabbitMq;
using Spectre.Console;

namespace Pipeline.Cli.Pools;

/// <summary>
/// <c>pipeline pools</c>: every pool queue of the virtual host with its app, target, decoded parameters, messages,
/// containers and dead letters. The list and the unacknowledged counts come from the management API (sampled every
/// ~5 s); ready, consumers and dead letters are counted exactly with a passive declare.
/// </summary>
internal static class PoolsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("pools", "List every pool: app, function or class, parameters, ready and unacknowledged inputs, containers (per host, with GPUs), dead letters.");
        command.Subcommands.Add(PoolScaleCommand.Create(global));
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var pools = await ReadAsync(settings, cancellationToken);
            if (output.Json)
            {
                output.WriteJson(pools);
            }
            else
            {
                Print(output, pools);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<IReadOnlyList<PoolView>> ReadAsync(CliSettings settings, CancellationToken cancellationToken)
    {
        var rabbit = settings.RabbitMq;
        await Reachability.CheckRabbitMqAsync(rabbit, settings.RabbitMqSource, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        var (queues, leases) = await ListAsync(rabbit, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false);

        var topology = new BrokerTopology(Options.Create(rabbit), NullLogger<BrokerTopology>.Instance);
        await using (topology.ConfigureAwait(false))
        {
            var pools = new List<PoolView>();
            foreach (var queue in queues.OrderBy(q => q.Name, StringComparer.Ordinal))
            {
                if (PoolQueueArguments.TryRead(queue.Name, queue.Arguments) is not { } demand)
                {
                    continue;
                }

                // Exact where the broker can say it now; a pool deleted since the listing is skipped.
                if (await topology.PeekAsync(queue.Name, cancellationToken).ConfigureAwait(false) is not { } now)
                {
                    continue;
                }

                var dead = await topology.PeekAsync(PoolQueueArguments.ErrorQueue(queue.Name), cancellationToken).ConfigureAwait(false);
                List<PoolContainerView> running = [.. leases.Where(l => l.Pool == queue.Name).OrderBy(l => l.Host, StringComparer.Ordinal).ThenBy(l => l.Slot)
                    .Select(l => new PoolContainerView(l.Host, l.Slot, [.. l.Gpus.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(g => int.Parse(g, System.Globalization.CultureInfo.InvariantCulture))]))];
                pools.Add(new PoolView(
                    queue.Name,
                    demand.App,
                    demand.Class is null ? "function" : "class",
                    demand.Class ?? demand.Function ?? "",
                    demand.Parameters is { ValueKind: JsonValueKind.Object } parameters ? parameters : null,
                    now.Ready,
                    queue.Unacked,
                    // Each container holds a lease; a host of an older version consumed with one container and no lease.
                    Math.Max(running.Count, now.Consumers),
                    dead?.Ready ?? 0,
                    running));
            }

            return pools;
        }
    }

    // Every way the management API can fail is one line and exit 3, within the same deadline as the broker's check.
    private static async Task<(IReadOnlyList<QueueInfo> Queues, IReadOnlyList<ContainerLease> Leases)> ListAsync(RabbitMqOptions rabbit, TimeSpan deadlineAfter, CancellationToken cancellationToken)
    {
        var endpoints = rabbit.ManagementEndpoints;
        var endpoint = string.Join(", ", endpoints);
        var key = endpoints.Count > 1 ? RabbitMqOptions.SectionName + ":ManagementUris" : RabbitMqOptions.SectionName + ":ManagementUri";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(deadlineAfter);
        using var management = new ManagementApi(Options.Create(rabbit));
        try
        {
            var queues = await management.ListPoolQueuesAsync(deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
            var leases = await management.ListContainersAsync(deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
            return (queues, leases);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(
                $"the RabbitMQ management API at {endpoint} did not answer within {Reachability.Seconds(deadlineAfter)}; check {key}",
                ExitCodes.Unreachable);
        }
        catch (InvalidOperationException e)
        {
            // ManagementApi's own messages name the address, the cause and the setting.
            throw new CliException(e.Message, ExitCodes.Unreachable);
        }
        catch (HttpRequestException e)
        {
            var cause = e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "host not found",
                HttpRequestError.ConnectionError => "connection refused",
                _ => e.StatusCode is { } status ? $"HTTP {(int)status} {status}" : e.Message,
            };
            throw new CliException(
                $"the RabbitMQ management API at {endpoint} failed ({cause}); enable it (rabbitmq-plugins enable rabbitmq_management) or set {key}",
                ExitCodes.Unreachable);
        }
    }

    private static void Print(CliOutput output, IReadOnlyList<PoolView> pools)
    {
        if (pools.Count == 0)
        {
            output.Out.WriteLine("No pools: no pool queue exists in this virtual host yet (a pool's queue is made by its first call).");
            return;
        }

        var table = new Table().Border(TableBorder.None)
            .AddColumns("POOL", "APP", "KIND", "TARGET", "PARAMETERS")
            .AddColumn(new TableColumn("READY").RightAligned())
            .AddColumn(new TableColumn("UNACKED").RightAligned())
            .AddColumn(new TableColumn("CONTAINERS").RightAligned())
            .AddColumn(new TableColumn("DEAD").RightAligned());
        foreach (var pool in pools)
        {
            table.AddRow(
                new Text(pool.Pool),
                new Text(pool.App),
                new Text(pool.Kind),
                new Text(pool.Target),
                new Text(pool.Parameters is { } p ? CliOutput.Compact(p) : ""),
                new Text(pool.Ready.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(pool.Unacked.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(pool.Containers.ToString(System.Globalization.CultureInfo.InvariantCulture) + (pool.Unserved ? " (none!)" : "")),
                new Text(pool.DeadLetters.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        output.Ansi.Write(table);
        foreach (var pool in pools.Where(p => p.Running.Count > 0))
        {
            var hosts = pool.Running.GroupBy(c => c.Host, StringComparer.Ordinal)
                .Select(h => $"{h.Key}: {h.Count()} ({string.Join(", ", h.Select(c => c.Gpus.Count > 0 ? "GPU " + string.Join(",", c.Gpus) : "CPU"))})");
            output.Out.WriteLine($"{pool.Pool} containers: {string.Join("; ", hosts)}");
        }

        foreach (var pool in pools.Where(p => p.Unserved))
        {
            output.Out.WriteLine($"{pool.Pool}: {pool.Ready} input(s) wait and no host serves this pool. Start a worker host that serves app '{pool.App}' (Pipeline:Worker:Apps), or see its log for why it refuses the pool.");
        }
    }
}
