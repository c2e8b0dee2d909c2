using System.Globalization;

namespace Pipeline.Bench.Report;

/// <summary>What the issue asks of a figure: a ratio against a baseline, or an absolute bound.</summary>
internal sealed record Goal(string Text, Func<Figure, bool?> Check)
{
    /// <summary>Pipeline's figure at least <paramref name="ratio"/> times the baseline's (throughput).</summary>
    public static Goal AtLeast(double ratio, Baseline against) => new(
        string.Create(CultureInfo.InvariantCulture, $">= {ratio:0.##} x {Name(against)}"),
        f => f.Ratio(against) is { } r ? r >= ratio : null);

    /// <summary>Pipeline's figure at most <paramref name="ratio"/> times the baseline's (latency).</summary>
    public static Goal AtMost(double ratio, Baseline against) => new(
        string.Create(CultureInfo.InvariantCulture, $"<= {ratio:0.##} x {Name(against)}"),
        f => f.Ratio(against) is { } r ? r <= ratio : null);

    /// <summary>Pipeline's figure below an absolute bound, in the figure's unit.</summary>
    public static Goal Below(double bound, string unit) => new(
        string.Create(CultureInfo.InvariantCulture, $"< {bound:0.##} {unit}"),
        f => f.Pipeline is { } p ? p < bound : null);

    /// <summary>No pass mark: the issue asks to find what it would take.</summary>
    public static Goal Explore(string text) => new(text, _ => null);

    private static string Name(Baseline baseline) => baseline == Baseline.Raw ? "raw" : "MT";
}

internal enum Baseline
{
    Raw,
    MassTransit,
}
