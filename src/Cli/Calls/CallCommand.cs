using System.CommandLine;
using System.Text.Json;
using Pipeline.Cli.Hosting;
using Pipeline.Client;

namespace Pipeline.Cli.Calls;

/// <summary><c>pipeline call &lt;app&gt; &lt;function&gt; [args...]</c>: calls and prints the result (Modal's <c>.remote()</c>).</summary>
internal static class CallCommand
{
    public static Command Create(GlobalOptions global)
    {
        var words = new CallArguments();
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds to wait for the result; past them the call is cancelled and the exit code is 4. Default: wait until done.",
            HelpName = "seconds",
        };
        var command = new Command("call", "Call a function or class method and print its result.")
        {
            words.App, words.Target, words.Args, words.Parameters, timeout,
        };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var request = words.Read(result);
            var apps = LoadedApps.Load(settings.AppPaths, "call");
            var seconds = result.GetValue(timeout);
            if (seconds is <= 0)
            {
                throw new CliException("--timeout must be a positive number of seconds", ExitCodes.Usage);
            }

            request.Check(apps);
            var connection = await ClientSession.ConnectAsync(settings, apps, durableResults: false, cancellationToken);
            await using (connection)
            {
                var handle = request.Resolve(connection.Client);
                using var limit = seconds is { } s ? new CancellationTokenSource(TimeSpan.FromSeconds(s)) : new CancellationTokenSource();
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
                try
                {
                    var value = await handle.RemoteAsync<JsonElement>(request.Arguments, linked.Token);
                    return CallOutcome.Of(value).Print(output);
                }
                catch (RemoteException e)
                {
                    return CallOutcome.Of(e).Print(output);
                }
                catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new CliException($"no result within {seconds} s; the call was cancelled", ExitCodes.Pending);
                }
            }
        }));
        return command;
    }
}
