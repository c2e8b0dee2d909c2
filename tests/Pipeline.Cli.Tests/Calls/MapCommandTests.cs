using System.Text.Json;
using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Calls;

[Collection(CliGroup.Name)]
public sealed class MapCommandTests(CliFixture cli) : IDisposable
{
    private readonly string _input = Path.Combine(Path.GetTempPath(), $"pipeline-cli-map-{Guid.NewGuid():N}.jsonl");

    [Fact]
    public async Task Map_Redirected_PrintsResultsInInputOrderAndASummary()
    {
        await File.WriteAllLinesAsync(_input, Enumerable.Range(1, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var run = await cli.RunAsync("map", "cliapp", "square", "--input", _input);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (i * i).ToString(System.Globalization.CultureInfo.InvariantCulture)), run.OutputLines);
        Assert.Matches(@"^map cliapp square: 50/50 done, 0 failed, [\d.]+/s in [\d.]+ s$", run.Error.Trim());
    }

    [Fact]
    public async Task Map_FailedInputs_KeepTheirPlacesAndExitOne()
    {
        await File.WriteAllLinesAsync(_input, ["1", "-2", "", "3"]);

        var run = await cli.RunAsync("map", "cliapp", "positive", "--input", _input, "--json");

        Assert.Equal(1, run.ExitCode);
        var lines = run.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([0, 1, 2], lines.Select(l => l.GetProperty("index").GetInt32()));
        Assert.Equal(["Succeeded", "Failed", "Succeeded"], lines.Select(l => l.GetProperty("status").GetString()));
        Assert.Equal(3, lines[2].GetProperty("value").GetInt64());
        Assert.Contains("-2 is negative", lines[1].GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("3/3 done, 1 failed", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_LineThatIsNotJson_ExitsTwoNamingTheLine()
    {
        await File.WriteAllLinesAsync(_input, ["1", "{oops"]);

        var run = await cli.RunAsync("map", "cliapp", "square", "--input", _input);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: {_input} line 2 is not JSON", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task Map_OutputRedirectedErrorOnATerminal_DrawsTheBarOnStandardError()
    {
        // script(1) gives the command a terminal for standard error while the shell sends standard output to a file,
        // as `pipeline map ... > out.jsonl` in a terminal does.
        Assert.True(File.Exists("/usr/bin/script"), "this test needs script(1) from util-linux to give the command a terminal");
        await File.WriteAllLinesAsync(_input, Enumerable.Range(1, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var results = _input + ".out";
        var command = string.Join(' ', new[] { "dotnet", CliProcess.Path, "map", "cliapp", "square", "--input", _input }.Select(Quote)) + " > " + Quote(results);
        try
        {
            var run = await CliProcess.RunProgramAsync("/usr/bin/script", ["-qfec", command, "/dev/null"], cli.Environment());

            // script's own output is what the terminal showed: the command's standard error.
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(Enumerable.Range(1, 40).Select(i => (i * i).ToString(System.Globalization.CultureInfo.InvariantCulture)), await File.ReadAllLinesAsync(results));
            Assert.Contains("\u2501", run.Output, StringComparison.Ordinal);            // the bar
            Assert.Contains("\u001b[", run.Output, StringComparison.Ordinal);           // drawn in place with cursor moves
            Assert.Contains("100%", run.Output, StringComparison.Ordinal);
            Assert.Matches(@"map cliapp square: 40/40 done, 0 failed, [\d.]+/s in [\d.]+ s", run.Output);
        }
        finally
        {
            File.Delete(results);
        }
    }

    [Fact]
    public async Task Map_BothRedirected_PrintsNoProgressOnlyTheSummary()
    {
        await File.WriteAllLinesAsync(_input, Enumerable.Range(1, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var run = await cli.RunAsync("map", "cliapp", "square", "--input", _input);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines);
        Assert.DoesNotContain("\u001b", run.Error, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_input);

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
