using System.CommandLine;
using Pipeline.Cli.Hosting;

namespace Pipeline.Cli.Calls;

/// <summary><c>pipeline spawn &lt;app&gt; &lt;function&gt; [args...]</c>: starts a call and prints its id for <c>pipeline get</c>.</summary>
internal static class SpawnCommand
{
    public static Command Create(GlobalOptions global)
    {
        var words = new CallArguments();
        var command = new Command("spawn", "Start a call without waiting and print its id; read the result later with pipeline get <id>.")
        {
            words.App, words.Target, words.Args, words.Parameters,
        };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var request = words.Read(result);
            var apps = LoadedApps.Load(settings.AppPaths, "spawn");
            request.Check(apps);
            var connection = await ClientSession.ConnectAsync(settings, apps, durableResults: true, cancellationToken);
            await using (connection)
            {
                var call = await request.Resolve(connection.Client).SpawnAsync(request.Arguments, cancellationToken);
                if (output.Json)
                {
                    output.WriteJson(new { callId = call.Id });
                }
                else
                {
                    await output.Out.WriteLineAsync(call.Id);
                }

                return ExitCodes.Ok;
            }
        }));
        return command;
    }
}
