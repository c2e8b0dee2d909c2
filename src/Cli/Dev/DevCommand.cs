using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Cli.Calls;
using Pipeline.Cli.Hosting;
using Pipeline.Cli.Usage;
using Pipeline.Client;
using Pipeline.Embedded;

namespace Pipeline.Cli.Dev;

/// <summary>
/// <c>pipeline dev &lt;app project or assembly&gt;</c>: runs the app embedded (worker host and scheduler in this process, no
/// servers), printing container lifecycle, calls and schedule fires as they happen. Each line typed on standard input is a
/// call (<c>square 7</c>, <c>model.generate --param name=llama hi</c>). Ctrl-C (or SIGTERM) stops it: in-flight calls
/// finish, every container's exit hooks run, and the exit code is 0.
/// </summary>
internal static class DevCommand
{
    public static Command Create(GlobalOptions global)
    {
        var app = new Argument<string>("app") { Description = "The app's project (.csproj, or its folder), built first; or its built assembly (.dll)." };
        var command = new Command("dev", "Run an app locally, embedded, printing calls and lifecycle as they happen, until Ctrl-C (which runs exit).") { app };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var assembly = await AppBuilder.AssemblyAsync(result.GetRequiredValue(app), output.Error, cancellationToken);
            var apps = LoadedApps.Load([assembly], "dev");
            var printer = new DevEventPrinter(output.Out, TimeProvider.System);
            var pipeline = await EmbeddedPipeline.StartAsync(apps.Assemblies, options => options.Logging = logging =>
            {
                logging.SetMinimumLevel(LogLevel.Debug);
                logging.AddProvider(printer);
            }, cancellationToken);
            try
            {
                await output.Out.WriteLineAsync(Ready(apps, pipeline));
                await output.Out.FlushAsync(cancellationToken);
                // Console.In reads synchronously even through ReadLineAsync: a thread of its own keeps Ctrl-C answered.
                _ = Task.Run(() => ReadCallsAsync(pipeline.Client, apps, output, cancellationToken), CancellationToken.None);
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            finally
            {
                await output.Out.WriteLineAsync("stopping: in-flight calls finish, then every container's exit hooks run ...");
                await pipeline.DisposeAsync();
                await output.Out.WriteLineAsync("stopped");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Ready(LoadedApps apps, EmbeddedPipeline pipeline)
    {
        var served = string.Join("; ", apps.Manifests.Select(m =>
            $"app {m.Name}: functions {List(m.Functions.Select(f => f.Name))}, classes {List(m.Classes.Select(c => $"{c.Name} ({string.Join(", ", c.Methods.Select(x => x.Name))})"))}"));
        var schedules = pipeline.Schedules.Schedules.Count == 0 ? "no schedules" : "schedules " + string.Join(", ", pipeline.Schedules.Schedules.Select(s => s.Name));
        return $"ready: {served}; {schedules}. Type a call per line (square 7, or model.generate --param name=llama hi); Ctrl-C stops.";
    }

    private static string List(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "none";

    // Each line is a call, run without waiting for the previous one; its result or error prints when it ends.
    private static async Task ReadCallsAsync(PipelineClient client, LoadedApps apps, CliOutput output, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && await Console.In.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            _ = CallAsync(client, apps, output, line, cancellationToken);
        }
    }

    private static async Task CallAsync(PipelineClient client, LoadedApps apps, CliOutput output, string line, CancellationToken cancellationToken)
    {
        try
        {
            var request = Parse(apps, line);
            request.Check(apps);
            var value = await request.Resolve(client).RemoteAsync<JsonElement>(request.Arguments, cancellationToken);
            await output.Out.WriteLineAsync($"{line.Trim()} -> {CliOutput.Compact(value)}");
        }
        catch (CliException e)
        {
            output.WriteError(e.Message);
        }
        catch (RemoteException e)
        {
            output.WriteError($"{line.Trim()} -> {CallOutcome.Of(e).Describe()}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // "[app] function|class.method [args...] [--param name=value ...]"; the app may be left out when there is one.
    private static CallRequest Parse(LoadedApps apps, string line)
    {
        var words = new CallArguments();
        var command = new Command("call") { words.Target, words.Args, words.Parameters };
        var tokens = CommandLineParser.SplitCommandLine(line).ToList();
        var app = apps.Manifests.Count == 1 ? apps.Manifests[0].Name : null;
        if (tokens.Count > 1 && apps.Manifests.Any(m => string.Equals(m.Name, tokens[0], StringComparison.OrdinalIgnoreCase)))
        {
            app = tokens[0];
            tokens.RemoveAt(0);
        }

        if (app is null)
        {
            throw new CliException($"say which app first: {string.Join(" or ", apps.Manifests.Select(m => m.Name))} (for example '{apps.Manifests[0].Name} square 7')", ExitCodes.Usage);
        }

        var result = command.Parse(tokens);
        if (UsageErrors.Of(result, program: "") is { Count: > 0 } problems)
        {
            throw new CliException(string.Join("; ", problems), ExitCodes.Usage);
        }

        return CallRequest.Parse(app, result.GetRequiredValue(words.Target), result.GetValue(words.Parameters) ?? [], result.GetValue(words.Args) ?? []);
    }
}
