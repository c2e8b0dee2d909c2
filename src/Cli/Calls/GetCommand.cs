using System.CommandLine;
using Pipeline.Cli.Hosting;
using Pipeline.Results;

namespace Pipeline.Cli.Calls;

/// <summary><c>pipeline get &lt;id&gt; [--timeout]</c>: the result of a spawned call, from the results store (PostgreSQL only; no broker needed).</summary>
internal static class GetCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "The call id that spawn printed (fc-...)." };
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds to wait for a pending call; 0 looks once. Past them the exit code is 4. Default: wait until done.",
            HelpName = "seconds",
        };
        var command = new Command("get", "Print the result of a spawned call, waiting for it if it is still running.") { id, timeout };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var callId = result.GetRequiredValue(id).Trim();
            var seconds = result.GetValue(timeout);
            if (seconds is < 0)
            {
                throw new CliException("--timeout must be 0 or more seconds", ExitCodes.Usage);
            }

            await Reachability.CheckPostgresAsync(settings.Results.EffectiveConnectionString, settings.PostgresSource, settings.ConnectTimeout, cancellationToken);
            var store = new PostgresResultStore(settings.Results, TimeProvider.System);
            await using (store)
            {
                var wait = seconds is { } s ? TimeSpan.FromSeconds(s) : Timeout.InfiniteTimeSpan;
                var lookup = await store.GetAsync(callId, wait, cancellationToken);
                return lookup.State switch
                {
                    CallState.Completed => CallOutcome.Of(lookup.Result!).Print(output),
                    CallState.Pending => throw new CliException($"call {callId} is still running after {seconds} s; run pipeline get {callId} again later", ExitCodes.Pending),
                    _ => throw new CliException($"call {callId} is unknown: it was never spawned with this results store (schema '{settings.Results.Schema}'), or its result expired after {settings.Results.Retention.TotalDays:0.#} days"),
                };
            }
        }));
        return command;
    }
}
