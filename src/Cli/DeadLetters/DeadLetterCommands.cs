using System.CommandLine;
using Pipeline.Cli.Hosting;
using Pipeline.Results;
using Spectre.Console;

namespace Pipeline.Cli.DeadLetters;

/// <summary><c>pipeline dlq list &lt;pool&gt;</c> and <c>pipeline dlq replay &lt;pool&gt; [--id ...|--all]</c>.</summary>
internal static class DeadLetterCommands
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("dlq", "Read and replay a pool's dead letters (its _error queue).");
        command.Subcommands.Add(List(global));
        command.Subcommands.Add(ReplayCommand(global));
        return command;
    }

    private static Argument<string> PoolArgument() => new("pool") { Description = "The pool queue (pipeline pools lists them); its _error queue works too." };

    private static Command List(GlobalOptions global)
    {
        var pool = PoolArgument();
        var limit = new Option<int>("--limit") { Description = "The most dead letters to show. Default: 100.", DefaultValueFactory = _ => 100, HelpName = "n" };
        var command = new Command("list", "List dead letters with their reason and attempts; they stay in the queue.") { pool, limit };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            if (result.GetValue(limit) < 1)
            {
                throw new CliException("--limit must be at least 1", ExitCodes.Usage);
            }

            var queue = await ErrorQueue.OpenAsync(settings.RabbitMq, settings.RabbitMqSource, settings.ConnectTimeout, result.GetRequiredValue(pool), cancellationToken);
            await using (queue)
            {
                var letters = await queue.FetchAsync(result.GetValue(limit), cancellationToken);
                if (output.Json)
                {
                    output.WriteJson(letters.Select(View).ToList());
                }
                else
                {
                    Print(output, queue, letters);
                }
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command ReplayCommand(GlobalOptions global)
    {
        var pool = PoolArgument();
        var ids = new Option<string[]>("--id")
        {
            Description = "A dead letter to replay, by call id (or message id); repeat for several.",
            AllowMultipleArgumentsPerToken = false,
            HelpName = "call-id",
        };
        var all = new Option<bool>("--all") { Description = "Replay every dead letter of the pool." };
        var command = new Command(
            "replay",
            "Send dead letters back to their pool as new calls (new call id, attempt 1); each leaves the error queue only after the broker confirmed its copy.")
        {
            pool, ids, all,
        };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var wanted = result.GetValue(ids) ?? [];
            var everything = result.GetValue(all);
            if (wanted.Length == 0 == !everything)
            {
                throw new CliException("say which dead letters to replay: --id <call id> (repeatable) or --all, not both", ExitCodes.Usage);
            }

            var queue = await ErrorQueue.OpenAsync(settings.RabbitMq, settings.RabbitMqSource, settings.ConnectTimeout, result.GetRequiredValue(pool), cancellationToken);
            await using (queue)
            {
                var replay = new Replay(queue, settings.RabbitMq, ResultsAsync(settings), TimeProvider.System);
                await using (replay)
                {
                    var letters = await queue.FetchAsync(int.MaxValue, cancellationToken);
                    var chosen = everything ? letters : letters.Where(l => wanted.Any(l.Matches)).ToList();
                    var replayed = new List<object>();
                    var code = ExitCodes.Ok;
                    foreach (var letter in chosen)
                    {
                        if (letter.Input is null)
                        {
                            output.WriteError($"kept {letter.MessageId}: it is not a readable input ({letter.Status}: {letter.Reason}), so replaying it would only fail again");
                            code = ExitCodes.Failed;
                            continue;
                        }

                        var callId = await replay.SendAsync(letter, cancellationToken);
                        replayed.Add(new { from = letter.CallId, callId, pool = queue.Pool });
                        if (!output.Json)
                        {
                            await output.Out.WriteLineAsync($"replayed {letter.CallId} as {callId} to {queue.Pool}");
                        }
                    }

                    foreach (var missing in wanted.Where(id => !letters.Any(l => l.Matches(id))))
                    {
                        output.WriteError($"no dead letter {missing} in {queue.Name}; pipeline dlq list {queue.Pool} shows them");
                        code = ExitCodes.Failed;
                    }

                    if (output.Json)
                    {
                        output.WriteJson(replayed);
                    }
                    else if (replayed.Count == 0 && code == ExitCodes.Ok)
                    {
                        await output.Out.WriteLineAsync($"nothing to replay: {queue.Name} is empty");
                    }

                    return code;
                }
            }
        }));
        return command;
    }

    // A replayed spawned call is registered in the results store: checked when the first one needs it, so a replay of
    // remote calls only needs no PostgreSQL.
    private static Func<CancellationToken, Task<IResultStore>> ResultsAsync(CliSettings settings) => async cancellationToken =>
    {
        await Reachability.CheckPostgresAsync(settings.Results.EffectiveConnectionString, settings.PostgresSource, settings.ConnectTimeout, cancellationToken);
        return new PostgresResultStore(settings.Results, TimeProvider.System);
    };

    private static object View(DeadLetter letter) => new
    {
        letter.CallId,
        letter.MessageId,
        letter.Target,
        letter.Status,
        letter.ErrorType,
        letter.Reason,
        letter.Attempts,
        letter.SentAt,
    };

    private static void Print(CliOutput output, ErrorQueue queue, IReadOnlyList<DeadLetter> letters)
    {
        if (letters.Count == 0)
        {
            output.Out.WriteLine($"No dead letters in {queue.Name}.");
            return;
        }

        var table = new Table().Border(TableBorder.None)
            .AddColumns("CALL ID", "TARGET", "STATUS")
            .AddColumn(new TableColumn("ATTEMPTS").RightAligned())
            .AddColumns("REASON", "AT (UTC)");
        foreach (var letter in letters)
        {
            table.AddRow(
                new Text(letter.CallId ?? letter.MessageId ?? "?"),
                new Text(letter.Target),
                new Text(letter.Status),
                new Text(letter.Attempts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                new Text(letter.ErrorType is null ? letter.Reason ?? "" : $"{letter.ErrorType}: {letter.Reason}"),
                new Text(letter.SentAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }

        output.Ansi.Write(table);
        output.Out.WriteLine(letters.Count < queue.Count
            ? $"{letters.Count} of {queue.Count} dead letters shown (--limit)."
            : $"{letters.Count} dead letter{(letters.Count == 1 ? "" : "s")}.");
    }
}
