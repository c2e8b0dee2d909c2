using System.Globalization;

namespace Pipeline.Scheduler.Commands;

/// <summary>The scheduler's command line: an optional verb with its argument and options, then configuration.</summary>
/// <param name="Verb">The verb (<c>list</c>, <c>trigger</c>, <c>help</c>), or null to run the service.</param>
/// <param name="Argument">The verb's argument (the schedule to trigger).</param>
/// <param name="From">For <c>list</c>: the instant to compute the next fires from (<c>--from</c>).</param>
/// <param name="Settings">The rest: configuration (<c>--Pipeline:Scheduler:...=...</c>).</param>
internal sealed record CommandLine(string? Verb, string? Argument, DateTimeOffset? From, string[] Settings)
{
    public const string Usage = "Usage: Pipeline.Scheduler [list [--from <instant>] | trigger <schedule>] [--Pipeline:Scheduler:... settings]. With no verb it runs the scheduler service. <instant> is ISO-8601 with an offset, for example 2026-10-25T00:00:00+02:00 or 2026-10-24T22:00:00Z.";

    private static readonly string[] Verbs = ["list", "trigger", "help", "--help", "-h"];

    /// <exception cref="FormatException">A <c>--from</c> without an instant, or with one that is not ISO-8601 with an offset.</exception>
    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0 || !Verbs.Contains(args[0], StringComparer.OrdinalIgnoreCase))
        {
            return new CommandLine(null, null, null, args);
        }

        var verb = args[0].ToLowerInvariant();
        var rest = args[1..].ToList();
        string? argument = null;
        if (verb == "trigger" && rest.Count > 0 && !rest[0].StartsWith('-'))
        {
            argument = rest[0];
            rest.RemoveAt(0);
        }

        DateTimeOffset? from = null;
        var at = rest.FindIndex(a => a == "--from" || a.StartsWith("--from=", StringComparison.Ordinal));
        if (at >= 0)
        {
            if (verb != "list")
            {
                throw new FormatException($"--from goes with 'list' only. {Usage}");
            }

            var inline = rest[at].Length > "--from".Length ? rest[at]["--from=".Length..] : null;
            var text = inline ?? (at + 1 < rest.Count ? rest[at + 1] : null);
            from = Instant(text);
            rest.RemoveRange(at, inline is null ? 2 : 1);
        }

        return new CommandLine(verb, argument, from, [.. rest]);
    }

    private static DateTimeOffset Instant(string? text)
    {
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];
        if (text is null || text.StartsWith("--", StringComparison.Ordinal))
        {
            throw new FormatException($"--from needs an instant. {Usage}");
        }

        if (!DateTimeOffset.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) ||
            !(text.EndsWith('Z') || text.EndsWith('z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal)))
        {
            throw new FormatException($"--from \"{text}\" is not an instant: write ISO-8601 with an offset, for example 2026-10-25T00:00:00+02:00 or 2026-10-24T22:00:00Z.");
        }

        return instant;
    }
}
