using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.IntegrationTests.Metrics;

/// <summary>
/// The samples of a Prometheus text exposition (<c>name{label="value",...} number</c>), read the way a scraper reads
/// them, so a test asserts on series by name and labels.
/// </summary>
internal sealed partial class PrometheusText(string text)
{
    public string Text { get; } = text;

    /// <summary>The values of every sample named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public IReadOnlyList<double> Values(string name, params (string Label, string Value)[] labels) => [.. Samples()
        .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))
        .Select(s => s.Value)];

    /// <summary>The label sets of every sample named <paramref name="name"/>.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Series(string name) => [.. Samples().Where(s => s.Name == name).Select(s => s.Labels)];

    private IEnumerable<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> Samples()
    {
        foreach (var line in Text.Split('\n'))
        {
            var match = Sample().Match(line.TrimEnd('\r'));
            if (!match.Success)
            {
                continue;
            }

            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            yield return (match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex Label();
}
