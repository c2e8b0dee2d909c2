using System.CommandLine;
using System.Runtime.InteropServices;
using Pipeline.Cli.Calls;
using Pipeline.Cli.DeadLetters;
using Pipeline.Cli.Dev;
using Pipeline.Cli.Pools;
using Pipeline.Cli.Schedules;
using Pipeline.Cli.Usage;
using Pipeline.Client;
using Pipeline.Messages.Parameters;

namespace Pipeline.Cli.Hosting;

/// <summary>
/// The command tree, and the one place that turns what went wrong into one line on standard error and an exit code
/// (<see cref="ExitCodes"/>): a stack trace only with <c>--verbose</c>.
/// </summary>
internal static class CliCommands
{
    /// <summary>Parses and runs the command line; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var global = new GlobalOptions();
        var root = Build(global);

        // `pipeline` alone prints the help and exits 0, as gh, docker and kubectl do.
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (UsageErrors.Of(parsed) is { Count: > 0 } problems)
        {
            foreach (var message in problems)
            {
                await Console.Error.WriteLineAsync("error: " + message);
            }

            var verb = parsed.CommandResult.Command == root ? "" : " " + string.Join(' ', Path(parsed.CommandResult.Command, root).Select(c => c.Name));
            await Console.Error.WriteLineAsync($"Run 'pipeline{verb} --help' for usage.");
            return ExitCodes.Usage;
        }

        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, stop));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stop));

        // Signals are handled here, not by System.CommandLine, which would kill the process after a timeout: dev must
        // be able to run every exit hook.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, stop.Token);
    }

    /// <summary>
    /// Runs a verb's work with its settings and output, mapping exceptions to one line and an exit code. Verbs throw
    /// <see cref="CliException"/> for what they can name themselves.
    /// </summary>
    public static async Task<int> RunAsync(GlobalOptions global, ParseResult result, Func<CliOutput, CliSettings, Task<int>> work)
    {
        var output = new CliOutput(result.GetValue(global.Json));
        CliSettings? settings = null;
        try
        {
            settings = global.Settings(result);
            return await work(output, settings);
        }
        catch (Exception e) when (Describe(e, settings) is var (message, code))
        {
            output.WriteError(message);
            if (result.GetValue(global.Verbose) && e is not CliException)
            {
                await output.Error.WriteLineAsync(e.ToString());
            }

            return code;
        }
    }

    private static Command[] Path(Command command, Command root)
    {
        var path = new List<Command>();
        for (var current = command; current is not null && current != root; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            path.Insert(0, current);
        }

        return [.. path];
    }

    private static RootCommand Build(GlobalOptions global)
    {
        var root = new RootCommand(
            "pipeline: run an app locally, call its functions, watch pools, replay dead letters, fire schedules. " +
            "Exit codes: 0 done, 1 failed, 2 wrong usage, 3 a server is unreachable, 4 still pending, 130 interrupted.")
        {
            DevCommand.Create(global),
            CallCommand.Create(global),
            SpawnCommand.Create(global),
            GetCommand.Create(global),
            MapCommand.Create(global),
            PoolsCommand.Create(global),
            DeadLetterCommands.Create(global),
            ScheduleCommands.Create(global),
        };
        foreach (var option in global.All)
        {
            root.Options.Add(option);
        }

        return root;
    }

    private static (string Message, int Code)? Describe(Exception exception, CliSettings? settings) => exception switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        OperationCanceledException => ("interrupted", ExitCodes.Interrupted),
        RemoteException remote => (CallOutcome.Of(remote).Describe(), ExitCodes.Failed),
        OutputExpiredException expired => (expired.Message, ExitCodes.Failed),
        ParameterException parameter => (parameter.Message, ExitCodes.Usage),
        _ when settings is not null && Reachability.DescribePostgres(exception, settings.Results.EffectiveConnectionString, settings.PostgresSource) is { } postgres
            => (postgres, ExitCodes.Unreachable),
        Pipeline.Results.ResultStoreUnavailableException store => (store.Message, ExitCodes.Unreachable),
        _ => ($"{exception.GetType().Name}: {exception.Message}", ExitCodes.Failed),
    };

    private static void Stop(PosixSignalContext context, CancellationTokenSource stop)
    {
        // A second signal ends the process at once, as it does for worker hosts.
        if (stop.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        stop.Cancel();
    }
}
