using System.Globalization;
using NCrontab;
using Quartz;

namespace Pipeline.Scheduler.Definitions;

/// <summary>
/// Reads the standard 5-field Unix cron text users write (<c>minute hour day-of-month month day-of-week</c>, with
/// lists, ranges, steps, month and day names, 0 or 7 for Sunday, and the <c>@daily</c>-style macros). NCrontab
/// validates it; Quartz must then read it too, since Quartz fires it.
/// </summary>
internal static class CronText
{
    private const string Shape = "Use 5 fields: minute hour day-of-month month day-of-week, for example \"0 3 * * *\" (03:00 every day)";

    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>Parses <paramref name="text"/>; returns null and the timing, or what is wrong and how to fix it.</summary>
    public static string? TryParse(string text, out CronTiming? timing)
    {
        timing = null;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return $"is empty. {Shape}.";
        }

        var fields = Macros.TryGetValue(trimmed, out var expanded)
            ? expanded
            : string.Join(' ', trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (fields.StartsWith('@'))
        {
            return $"\"{text}\" is not a known macro. Use one of {string.Join(", ", Macros.Keys)}, or {Shape}.";
        }

        var parts = fields.Split(' ');
        if (parts.Length != 5)
        {
            var hint = parts.Length == 6 ? " Seconds are not part of Unix cron; for a schedule under a minute use Period, for example \"30s\"." : "";
            return $"\"{text}\" has {parts.Length} field(s).{hint} {Shape}.";
        }

        var problem = CrontabSchedule.TryParse(ForNCrontab(fields), s => (string?)null, e => e().Message);
        if (problem is not null)
        {
            return $"\"{text}\" is not a valid cron expression: {problem} {Shape}.";
        }

        try
        {
            _ = CronExpression.Parse(fields, CronFormat.Unix);
        }
        catch (FormatException e)
        {
            return $"\"{text}\" is not a cron expression the scheduler can fire: {e.Message} {Shape}.";
        }

        timing = new CronTiming(text, fields);
        return null;
    }

    /// <summary>
    /// The same expression in NCrontab's dialect: NCrontab refuses 7 for Sunday, so a 7 in the day-of-week field
    /// (alone, or ending a range such as <c>5-7</c>) becomes 0.
    /// </summary>
    public static string ForNCrontab(string fields)
    {
        var parts = fields.Split(' ');
        parts[4] = string.Join(',', parts[4].Split(',').Select(SundayAsZero));
        return string.Join(' ', parts);
    }

    private static string SundayAsZero(string part)
    {
        var slash = part.IndexOf('/', StringComparison.Ordinal);
        var range = slash < 0 ? part : part[..slash];
        var step = 1;
        if (slash >= 0 && (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1))
        {
            return part;
        }

        if (range == "7")
        {
            return "0";
        }

        var dash = range.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || range[(dash + 1)..] != "7" || Day(range[..dash]) is not { } first)
        {
            return part;
        }

        // "5-7" is Friday to Sunday; NCrontab knows Sunday only as 0, so the range becomes the list of its days.
        var days = new List<int>();
        for (var day = first; day <= 7; day += step)
        {
            days.Add(day % 7);
        }

        return string.Join(',', days.Distinct().Order().Select(d => d.ToString(CultureInfo.InvariantCulture)));
    }

    private static int? Day(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is >= 0 and <= 7 ? number : null;
        }

        var index = Array.FindIndex(DayNames, d => string.Equals(d, text, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : null;
    }
}
