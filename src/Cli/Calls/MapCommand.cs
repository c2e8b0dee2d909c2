using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Cli.Hosting;
using Pipeline.Client;
using Spectre.Console;

namespace Pipeline.Cli.Calls;

/// <summary>
/// <c>pipeline map &lt;app&gt; &lt;function&gt; --input file.jsonl</c>: one call per input line, results as JSON lines in input
/// order on standard output, with a progress bar (done, failed, rate, ETA) when a terminal shows it.
/// </summary>
internal static class MapCommand
{
    public static Command Create(GlobalOptions global)
    {
        var words = new CallArguments();
        var input = new Option<string>("--input", "-i")
        {
            Description = "A JSON lines file, one input per line (each the function's single argument); - reads standard input.",
            Required = true,
            HelpName = "file.jsonl",
        };
        var star = new Option<bool>("--star") { Description = "Each line is a JSON array of the function's arguments (Modal's starmap)." };
        var inFlight = new Option<int>("--max-in-flight")
        {
            Description = "Inputs sent and not yet finished, at most. Default: 1000.",
            DefaultValueFactory = _ => 1000,
            HelpName = "n",
        };
        var command = new Command("map", "Call a function once per input line; print the results as JSON lines in input order.")
        {
            words.App, words.Target, words.Parameters, input, star, inFlight,
        };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var request = words.Read(result, withArgs: false);
            if (result.GetValue(inFlight) is var limit && limit < 1)
            {
                throw new CliException("--max-in-flight must be at least 1", ExitCodes.Usage);
            }

            var apps = LoadedApps.Load(settings.AppPaths, "map");
            var callable = request.Check(apps, checkArguments: false);
            var inputs = new MapInput(result.GetRequiredValue(input), result.GetValue(star), args => CallRequest.CheckArguments(callable, args));
            var total = inputs.Count();
            var connection = await ClientSession.ConnectAsync(settings, apps, durableResults: false, cancellationToken);
            await using (connection)
            {
                var handle = request.Resolve(connection.Client);
                var results = handle.StarMapResultsAsync<JsonElement>(inputs.Read(), new MapOptions { MaxInFlight = limit }, cancellationToken);
                return await new MapRun(output, $"{request.App} {request.Function}", total).RunAsync(results);
            }
        }));
        return command;
    }

    /// <summary>Prints results as they come, in order, and keeps the counts the progress bar and the summary show.</summary>
    private sealed class MapRun(CliOutput output, string name, int? total)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _done;
        private int _failed;

        public async Task<int> RunAsync(IAsyncEnumerable<MapResult<JsonElement>> results)
        {
            // Progress goes where a person looks, as with docker, npm and gh: standard output when it is a terminal
            // (results print above the bar), else standard error when that is one (the bar, drawn in place, while the
            // results go to the file or pipe); with both redirected, no progress at all, only the summary line on
            // standard error. Spectre decides "interactive" from standard output, so the bar on standard error is
            // asked for explicitly: left to detect, it fell back to printing a status line every second.
            var progress = !Console.IsOutputRedirected ? output.Ansi
                : !Console.IsErrorRedirected ? AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Out = new AnsiConsoleOutput(output.Error),
                    Ansi = AnsiSupport.Yes,
                    Interactive = InteractionSupport.Yes,
                })
                : null;
            if (progress is null)
            {
                await foreach (var item in results)
                {
                    Write(item, output.Out.WriteLine, output.WriteError);
                }
            }
            else
            {
                await progress.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask(Describe(), maxValue: total ?? 1);
                        task.IsIndeterminate = total is null;
                        // On a terminal, everything goes through the console that draws the bar, so lines print above it.
                        var onTerminal = ReferenceEquals(progress, output.Ansi);
                        Action<string> lines = onTerminal ? line => progress.Write(new Text(line + "\n")) : output.Out.WriteLine;
                        Action<string> errors = onTerminal ? line => progress.Write(new Text("error: " + line + "\n", new Style(Color.Red))) : output.WriteError;
                        await foreach (var item in results)
                        {
                            Write(item, lines, errors);
                            task.Increment(1);
                            task.Description = Describe();
                        }

                        task.Value = task.MaxValue;
                        task.StopTask();
                    });
            }

            await output.Error.WriteLineAsync($"map {name}: {Describe()} in {_clock.Elapsed.TotalSeconds:0.0} s");
            return _failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }

        private void Write(MapResult<JsonElement> item, Action<string> writeLine, Action<string> writeError)
        {
            _done++;
            var outcome = item.Succeeded ? CallOutcome.Of(item.Value) : CallOutcome.Of(item.Error!);
            if (!item.Succeeded)
            {
                _failed++;
            }

            if (output.Json)
            {
                writeLine(CliOutput.Compact(new { index = item.Index, outcome.Status, outcome.Value, outcome.Error, outcome.CallId }));
                return;
            }

            writeLine(item.Succeeded ? CliOutput.Compact(item.Value) : "null");
            if (!item.Succeeded)
            {
                writeError($"input {item.Index + 1}: {outcome.Describe()}");
            }
        }

        private string Describe()
        {
            var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
            var of = total is { } count ? $"/{count}" : "";
            return $"{_done}{of} done, {_failed} failed, {_done / seconds:0.#}/s";
        }
    }
}
