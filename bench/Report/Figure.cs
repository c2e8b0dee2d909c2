namespace Pipeline.Bench.Report;

/// <summary>One line of the table: a scenario's figure for Pipeline and for each baseline measured in the same run.</summary>
internal sealed record Figure(string Scenario, string Name, string Unit, double? Pipeline, double? Raw, double? MassTransit, params Goal[] Goals)
{
    /// <summary>Pipeline's figure divided by the baseline's; for rates above 1 is better, for times and sizes below 1 is.</summary>
    public double? Ratio(Baseline baseline)
    {
        var other = baseline == Baseline.Raw ? Raw : MassTransit;
        return Pipeline is { } p && other is { } o && o != 0 && !double.IsNaN(p) && !double.IsNaN(o) ? p / o : null;
    }
}
