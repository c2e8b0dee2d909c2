using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Pipeline.Bench.Report;

/// <summary>Prints the table and the closing note to the console, and writes the same as Markdown when asked.</summary>
internal static class ReportWriter
{
    private static readonly string[] Headers = ["Scenario", "Figure", "Pipeline", "Raw client", "MassTransit", "P / raw", "P / MT", "Goal", "Met"];

    public static void Print(IReadOnlyList<Figure> figures, IReadOnlyList<string> notes)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in Headers)
        {
            table.AddColumn(new TableColumn(header) { Alignment = header is "Scenario" or "Figure" or "Goal" ? Justify.Left : Justify.Right });
        }

        foreach (var row in Rows(figures))
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        // Redirected to a file, the console reports 80 columns and the table would wrap every cell.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 220;
        }

        AnsiConsole.Write(table);
        AnsiConsole.WriteLine();
        foreach (var line in ClosingNote(figures).Concat(notes))
        {
            AnsiConsole.WriteLine(line);
        }
    }

    public static string Markdown(IReadOnlyList<Figure> figures, IReadOnlyList<string> notes, string header)
    {
        var text = new StringBuilder();
        text.AppendLine(header).AppendLine();
        text.AppendLine("| " + string.Join(" | ", Headers) + " |");
        text.AppendLine("|" + string.Concat(Headers.Select(h => h is "Scenario" or "Figure" or "Goal" ? "---|" : "---:|")));
        foreach (var row in Rows(figures))
        {
            text.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }

        text.AppendLine();
        foreach (var line in ClosingNote(figures))
        {
            text.AppendLine(line);
        }

        // The other notes are aligned columns: a code block keeps them so.
        text.AppendLine().AppendLine("```text");
        foreach (var line in notes.SkipWhile(n => n.Length == 0))
        {
            text.AppendLine(line);
        }

        return text.AppendLine("```").ToString();
    }

    /// <summary>Each figure that has a goal, its ratio and whether it met it.</summary>
    public static IEnumerable<string> ClosingNote(IReadOnlyList<Figure> figures)
    {
        yield return "Against the goals:";
        foreach (var f in figures.Where(f => f.Goals.Length > 0))
        {
            var ratios = string.Join(", ", new[] { (Baseline.Raw, "raw"), (Baseline.MassTransit, "MassTransit") }
                .Where(b => f.Ratio(b.Item1) is not null)
                .Select(b => string.Create(CultureInfo.InvariantCulture, $"{f.Ratio(b.Item1):0.00} x {b.Item2}")));
            var verdicts = string.Join("; ", f.Goals.Select(g => $"goal {g.Text}: {Verdict(g.Check(f))}"));
            yield return $"- {f.Scenario}, {f.Name}: {Number(f.Pipeline)} {f.Unit}{(ratios.Length > 0 ? $" ({ratios})" : "")}; {verdicts}.";
        }
    }

    private static IEnumerable<string[]> Rows(IReadOnlyList<Figure> figures)
    {
        string? scenario = null;
        foreach (var f in figures)
        {
            yield return
            [
                f.Scenario == scenario ? "" : f.Scenario,
                $"{f.Name} ({f.Unit})",
                Number(f.Pipeline),
                Number(f.Raw),
                Number(f.MassTransit),
                Ratio(f.Ratio(Baseline.Raw)),
                Ratio(f.Ratio(Baseline.MassTransit)),
                string.Join("; ", f.Goals.Select(g => g.Text)),
                string.Join("; ", f.Goals.Select(g => g.Check(f) switch { true => "yes", false => "NO", null => "-" })),
            ];
            scenario = f.Scenario;
        }
    }

    private static string Verdict(bool? met) => met switch { true => "met", false => "MISSED", null => "measured, no pass mark" };

    public static string Number(double? value) => value switch
    {
        null => "-",
        double v when double.IsNaN(v) => "-",
        double v when Math.Abs(v) >= 1000 => v.ToString("#,0", CultureInfo.InvariantCulture),
        double v when Math.Abs(v) >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        double v when Math.Abs(v) >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
        double v => v.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private static string Ratio(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "";
}
