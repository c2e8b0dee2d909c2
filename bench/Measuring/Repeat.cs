namespace Pipeline.Bench.Measuring;

/// <summary>Medians of repetitions: one slow repetition (another build on this machine) does not move the figure.</summary>
internal static class Repeat
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
