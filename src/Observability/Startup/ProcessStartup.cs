using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Observability.Startup;

/// <summary>
/// Runs a process (worker host, gateway, scheduler service) so that every start-up failure, a bad setting, a bad app
/// assembly, options validation, a port that cannot be bound, ends in one clean error block on stderr naming the
/// problem and its fix, and exit code <see cref="StartupFailedExitCode"/>, never an unhandled exception with a stack
/// trace and SIGABRT.
/// <code>
/// return await ProcessStartup.RunAsync("worker host", prepare =>
/// {
///     var builder = Host.CreateApplicationBuilder(args);
///     prepare(builder);
///     builder.Services.AddPipelineWorkerHost(builder.Configuration);
///     return builder.Build();
/// });
/// </code>
/// </summary>
public static class ProcessStartup
{
    /// <summary>The exit code of a process that did not start: its settings or its apps need fixing.</summary>
    public const int StartupFailedExitCode = 2;

    /// <summary>The exit code of a process that started and stopped on request.</summary>
    public const int StoppedExitCode = 0;

    // The generic host logs a start-up failure with its stack trace before rethrowing it; the block below says it once.
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>
    /// Builds the host with <paramref name="build"/>, starts it, and runs it until it is told to stop. A failure while
    /// building or starting prints <see cref="Describe"/>'s block to <paramref name="error"/> (default stderr) and
    /// returns <see cref="StartupFailedExitCode"/>.
    /// </summary>
    /// <param name="process">The process, as a user names it: <c>worker host</c>, <c>gateway</c>.</param>
    /// <param name="build">
    /// Creates the builder, passes it to the given action first (it keeps the host's own copy of a start-up failure,
    /// with its stack trace, out of the log), registers the services, and builds the host.
    /// </param>
    /// <param name="error">Where the error block goes; stderr by default.</param>
    /// <param name="hint">
    /// The process's own advice for a failure its settings explain but the failure does not name (Kestrel's "Failed to
    /// bind to address" names the address, not the key it came from); null when it has none.
    /// </param>
    /// <returns>The process's exit code.</returns>
    public static async Task<int> RunAsync(string process, Func<Action<IHostApplicationBuilder>, IHost> build, TextWriter? error = null, Func<Exception, string?>? hint = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        error ??= Console.Error;
        var starting = new StrongBox<bool>(true);
        IHost host;
        try
        {
            host = build(builder => builder.Logging.AddFilter((_, category, level) => !(starting.Value && level >= LogLevel.Error && category == HostCategory)));
        }
        catch (Exception e)
        {
            await error.WriteAsync(Describe(process, e, hint?.Invoke(e))).ConfigureAwait(false);
            return StartupFailedExitCode;
        }

        Exception? failure = null;
        try
        {
            try
            {
                await host.StartAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
                await StopQuietlyAsync(host).ConfigureAwait(false);
            }

            if (failure is null)
            {
                starting.Value = false;
                await host.WaitForShutdownAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            starting.Value = false;
            try
            {
                if (host is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    host.Dispose();
                }
            }
            catch (Exception) when (failure is not null)
            {
                // A host that failed to start may fail to dispose too: what went wrong first is what the block says.
            }
        }

        // Written after the host is disposed (its console log flushed), so the block is the last thing printed.
        if (failure is not null)
        {
            await error.WriteAsync(Describe(process, failure, hint?.Invoke(failure))).ConfigureAwait(false);
            return StartupFailedExitCode;
        }

        return StoppedExitCode;
    }

    /// <summary>
    /// The error block for a process that did not start: what failed, one line per problem (each names its setting),
    /// and where settings come from. No stack trace; an exception of an unexpected kind is named by its type.
    /// </summary>
    /// <param name="process">The process, as a user names it.</param>
    /// <param name="failure">What stopped it.</param>
    /// <param name="hint">An extra line of advice, or null.</param>
    /// <returns>The block, ending in a new line.</returns>
    public static string Describe(string process, Exception failure, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var text = new System.Text.StringBuilder();
        text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"error: the {process} did not start.");
        foreach (var problem in StartupProblems.From(failure))
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {problem}");
        }

        if (hint is { Length: > 0 })
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  {hint}");
        }

        text.AppendLine("Fix the above and start it again. Settings come from appsettings.json, environment variables (a key's ':' written '__': Pipeline__Health__Port for Pipeline:Health:Port) and the command line (--Pipeline:Health:Port=0).");
        return text.ToString();
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or AggregateException or ObjectDisposedException or ArgumentNullException)
        {
            // Already failing to start: what went wrong first is what the block says. (The generic host's StopAsync throws
            // ArgumentNullException when StartAsync failed before it resolved its hosted services, as a ValidateOnStart
            // failure does.)
        }
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value { get; set; } = value;
    }
}
