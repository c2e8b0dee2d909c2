using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Scheduler.Definitions;

/// <summary>Reads a period: a whole number and one unit, such as <c>30s</c>, <c>15m</c>, <c>2h</c>, <c>1d</c>, <c>1w</c> or <c>1mo</c>.</summary>
internal static partial class PeriodText
{
    private const int MaxCount = 10_000;
    private const string Shape = "Use a whole number and one unit: s, m, h, d, w or mo (seconds, minutes, hours, days, weeks, months), for example \"30s\", \"15m\", \"1d\" or \"1mo\"";

    private static readonly Dictionary<string, PeriodUnit> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        ["s"] = PeriodUnit.Second, ["sec"] = PeriodUnit.Second, ["secs"] = PeriodUnit.Second, ["second"] = PeriodUnit.Second, ["seconds"] = PeriodUnit.Second,
        ["m"] = PeriodUnit.Minute, ["min"] = PeriodUnit.Minute, ["mins"] = PeriodUnit.Minute, ["minute"] = PeriodUnit.Minute, ["minutes"] = PeriodUnit.Minute,
        ["h"] = PeriodUnit.Hour, ["hr"] = PeriodUnit.Hour, ["hrs"] = PeriodUnit.Hour, ["hour"] = PeriodUnit.Hour, ["hours"] = PeriodUnit.Hour,
        ["d"] = PeriodUnit.Day, ["day"] = PeriodUnit.Day, ["days"] = PeriodUnit.Day,
        ["w"] = PeriodUnit.Week, ["wk"] = PeriodUnit.Week, ["week"] = PeriodUnit.Week, ["weeks"] = PeriodUnit.Week,
        ["mo"] = PeriodUnit.Month, ["mon"] = PeriodUnit.Month, ["month"] = PeriodUnit.Month, ["months"] = PeriodUnit.Month,
    };

    /// <summary>Parses <paramref name="text"/>; returns null with the count and unit, or what is wrong and how to fix it.</summary>
    public static string? TryParse(string text, out int count, out PeriodUnit unit)
    {
        count = 0;
        unit = default;
        var match = PeriodPattern().Match(text);
        if (!match.Success)
        {
            var compound = CompoundPattern().IsMatch(text)
                ? " Combine units by converting to the smaller one (\"1h30m\" is \"90m\")."
                : "";
            return $"\"{text}\" is not a period.{compound} {Shape}.";
        }

        if (!Units.TryGetValue(match.Groups["unit"].Value, out unit))
        {
            return $"\"{text}\" has the unknown unit '{match.Groups["unit"].Value}'. {Shape}.";
        }

        if (!int.TryParse(match.Groups["count"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > MaxCount)
        {
            return $"\"{text}\" must count 1 to {MaxCount} {unit.ToString().ToLowerInvariant()}s. {Shape}.";
        }

        return null;
    }

    [GeneratedRegex(@"^\s*(?<count>\d+)\s*(?<unit>[A-Za-z]+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodPattern();

    [GeneratedRegex(@"^\s*(\d+\s*[A-Za-z]+\s*){2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex CompoundPattern();
}
