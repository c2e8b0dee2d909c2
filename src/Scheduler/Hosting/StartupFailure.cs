using Microsoft.Extensions.Options;

namespace Pipeline.Scheduler.Hosting;

/// <summary>
/// A mistake found before the scheduler starts (a schedule, an app, a setting, the command line), printed as one block
/// on stderr with exit code 2, like the gateway: the message names the key and the fix, and no stack trace follows it.
/// Anything else is a fault and keeps its stack trace.
/// </summary>
internal static class StartupFailure
{
    /// <summary>The exit code of a process that did not start because of its definitions or settings.</summary>
    public const int ExitCode = 2;

    /// <summary>The generic host's log category: it logs a failed start with its stack trace, which the block replaces.</summary>
    public const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>Whether <paramref name="exception"/> is a mistake in what the operator gave (rather than a fault).</summary>
    public static bool IsDefinitionError(Exception exception) => exception is ScheduleDefinitionException or AppDefinitionException
        or OptionsValidationException or InvalidOperationException or FormatException
        || (exception is AggregateException aggregate && aggregate.InnerExceptions.All(IsDefinitionError));

    /// <summary>Writes the block: what did not start, and the message (which names the key and the fix).</summary>
    public static async Task<int> ReportAsync(Exception exception, TextWriter error)
    {
        // The configuration binder names the key but not the form; say it.
        var problems = Problems(exception).Distinct(StringComparer.Ordinal).ToList();
        var hint = problems.Any(p => p.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
            ? " Write durations as hh:mm:ss (for example 00:01:00 for one minute) and numbers as digits; docs/schedules.md lists every key with its form."
            : "";
        await error.WriteLineAsync($"The scheduler did not start. {string.Join(" ", problems)}{hint}").ConfigureAwait(false);
        return ExitCode;
    }

    // Options checked at start fail together (one exception per options type, several when several are wrong, the same
    // one again when another options type reads it); each problem is said once.
    private static IEnumerable<string> Problems(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Problems),
        OptionsValidationException validation => validation.Failures,
        _ => [exception.Message],
    };
}
