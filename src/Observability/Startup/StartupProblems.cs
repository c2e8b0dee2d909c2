using Microsoft.Extensions.Options;

namespace Pipeline.Observability.Startup;

/// <summary>Turns what stopped a process from starting into lines a user reads: each problem once, no stack trace.</summary>
internal static class StartupProblems
{
    private const string SettingsPrefix = "Invalid settings: ";

    public static IReadOnlyList<string> From(Exception failure)
    {
        var lines = new List<string>();
        Add(failure, lines);
        return lines.Count > 0 ? lines : [failure.GetType().Name];
    }

    private static void Add(Exception failure, List<string> lines)
    {
        switch (failure)
        {
            case AggregateException aggregate:
                foreach (var each in aggregate.InnerExceptions)
                {
                    Add(each, lines);
                }

                return;
            case OptionsValidationException validation:
                foreach (var message in validation.Failures)
                {
                    AddLine(message, lines);
                }

                return;
        }

        var text = failure.Message.StartsWith(SettingsPrefix, StringComparison.Ordinal) ? failure.Message[SettingsPrefix.Length..] : failure.Message;
        AddLine(Expected(failure) ? text : $"{failure.GetType().Name}: {text}", lines);

        // A wrapped cause (a bind error under "cannot listen", a loader error under "cannot load") adds what it says,
        // unless the outer message already says it.
        if (failure.InnerException is { } inner && !text.Contains(inner.Message, StringComparison.Ordinal))
        {
            Add(inner, lines);
        }
    }

    private static void AddLine(string line, List<string> lines)
    {
        if (!string.IsNullOrWhiteSpace(line) && !lines.Contains(line))
        {
            lines.Add(line.ReplaceLineEndings(Environment.NewLine + "  "));
        }
    }

    // The kinds a start-up throws for a wrong setting or app; anything else is named, since it may be a bug to report.
    private static bool Expected(Exception failure) => failure is InvalidOperationException or ArgumentException or FormatException
        or IOException or UnauthorizedAccessException or BadImageFormatException or System.Net.Sockets.SocketException
        || failure.GetType().Name == "AppDefinitionException";
}
