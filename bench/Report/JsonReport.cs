using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Bench.Report;

/// <summary>
/// The run's figures as JSON (<c>--json FILE</c>), so two runs can be compared by a script: the machine, load and versions,
/// the sizes, then each figure with both baselines, its ratios and each goal's verdict (null when it has no pass mark).
/// </summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Write(RunInfo run, IReadOnlyList<Figure> figures, IReadOnlyList<string> notes)
    {
        var document = new
        {
            run = new
            {
                run.Kind,
                run.StartedAt,
                run.VirtualHost,
                machine = new { run.Cpu, run.Cores, run.OperatingSystem },
                loadAverage = new { start = run.LoadAtStart, end = run.LoadAtEnd },
                run.Versions,
                run.Seconds,
                sizes = new
                {
                    run.Settings.Messages,
                    run.Settings.Repetitions,
                    run.Settings.Window,
                    run.Settings.ClosedLoopCalls,
                    openLoopSeconds = run.Settings.OpenLoopDuration.TotalSeconds,
                    run.Settings.MapInputs,
                    run.Settings.MapRepetitions,
                    run.Settings.ColdStarts,
                    run.Settings.ProcessColdStarts,
                    run.Settings.Pools,
                    run.Settings.DrainMessages,
                    only = run.Settings.Only.Order().ToArray(),
                },
            },
            figures = figures.Select(f => new
            {
                f.Scenario,
                f.Name,
                f.Unit,
                pipeline = Finite(f.Pipeline),
                raw = Finite(f.Raw),
                massTransit = Finite(f.MassTransit),
                ratioRaw = Finite(f.Ratio(Baseline.Raw)),
                ratioMassTransit = Finite(f.Ratio(Baseline.MassTransit)),
                goals = f.Goals.Select(g => new { g.Text, met = g.Check(f) }).ToArray(),
            }).ToArray(),
            notes = notes.Where(n => n.Length > 0).ToArray(),
        };
        return JsonSerializer.Serialize(document, Options);
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
