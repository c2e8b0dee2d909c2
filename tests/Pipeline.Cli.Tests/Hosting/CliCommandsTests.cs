using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Hosting;

/// <summary>Usage, help and unreachable servers: nothing here needs this run's servers, so it runs beside the tests that do.</summary>
[Collection(OfflineGroup.Name)]
public sealed class CliCommandsTests
{
    private static Task<CliRun> RunAsync(params string[] args) => CliProcess.RunAsync(new Dictionary<string, string>(), args);

    [Theory]
    [InlineData("dev")]
    [InlineData("call")]
    [InlineData("map")]
    [InlineData("dlq", "replay")]
    [InlineData("schedules", "trigger")]
    public async Task Help_EveryVerb_PrintsUsageAndExitsZero(params string[] verb)
    {
        var run = await RunAsync([.. verb, "--help"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"pipeline {string.Join(' ', verb)}", run.Output, StringComparison.Ordinal);
        Assert.Contains("--json", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingArgument_ExitsTwoWithTheParsersMessageAndAHint()
    {
        var run = await RunAsync("get");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Equal(
            ["error: Required argument missing for command: 'get'.", "Run 'pipeline get --help' for usage."],
            run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Run_NoVerb_PrintsTheHelpAndExitsZero()
    {
        var run = await RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Contains("pools", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Theory]
    [InlineData("pols", "error: 'pols' is not a verb of 'pipeline'; did you mean 'pools'?")]
    [InlineData("cal", "error: 'cal' is not a verb of 'pipeline'; did you mean 'call'?")]
    [InlineData("sched", "error: 'sched' is not a verb of 'pipeline'; did you mean 'schedules'?")]
    [InlineData("schedules trigerr nightly", "error: 'trigerr' is not a verb of 'pipeline schedules'; did you mean 'trigger'?")]
    [InlineData("dlq lsit cliapp.fail", "error: 'lsit' is not a verb of 'pipeline dlq'; did you mean 'list'?")]
    [InlineData("deploy", "error: 'deploy' is not a verb of 'pipeline'; the verbs are dev, call, spawn, get, map, pools, dlq, schedules")]
    public async Task Run_MistypedVerb_ExitsTwoSuggestingTheNearest(string words, string expected)
    {
        var run = await RunAsync(words.Split(' '));

        AssertUsage(run, expected);
    }

    [Theory]
    [InlineData("call cliapp square 7 --bogus", "unknown option --bogus for 'pipeline call'")]
    [InlineData("call cliapp square --bogus=1 7", "unknown option --bogus for 'pipeline call'")]
    [InlineData("call cliapp square 7 --timout 5", "unknown option --timout for 'pipeline call'; did you mean --timeout?")]
    [InlineData("spawn cliapp square 7 -x", "unknown option -x for 'pipeline spawn'")]
    [InlineData("map cliapp square --input - --stra", "unknown option --stra for 'pipeline map'; did you mean --star?")]
    [InlineData("get fc-00000000000000000000000000000000 --bogus", "unknown option --bogus for 'pipeline get'")]
    [InlineData("pools --bogus", "unknown option --bogus for 'pipeline pools'")]
    [InlineData("dlq list cliapp.fail --limt 3", "unknown option --limt for 'pipeline dlq list'; did you mean --limit?")]
    [InlineData("schedules --nxt 3", "unknown option --nxt for 'pipeline schedules'; did you mean --next?")]
    public async Task Run_UnknownOption_ExitsTwoNamingItBeforeAnythingConnects(string words, string expected)
    {
        // The broker's port is closed: a verb that got as far as connecting would exit 3.
        var run = await RunAsync([.. words.Split(' '), "--app-assembly", CliFixture.App, "--rabbitmq", "amqp://guest:guest@127.0.0.1:1/", "--postgres", "Host=127.0.0.1;Port=1"]);

        AssertUsage(run, "error: " + expected);
    }

    [Theory]
    [InlineData("call", "cliapp", "greet", "--", "--bogus")]
    [InlineData("call", "cliapp", "positive", "-2")]
    [InlineData("call", "cliapp", "positive", "-1.5e0")]
    public async Task Call_DashWordsThatAreArguments_PassTheUsageCheck(params string[] words)
    {
        // After "--", or a negative number: the function's argument, so the command goes on to the (closed) broker.
        var run = await RunAsync([.. words[..3], "--app-assembly", CliFixture.App, "--rabbitmq", "amqp://guest:guest@127.0.0.1:1/", .. words[3..]]);

        Assert.True(run.ExitCode is 3 or 2, run.ToString());
        Assert.DoesNotContain("unknown option", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call cliapp square 7 --timeout soon", "error: --timeout takes a number (seconds), not 'soon'")]
    [InlineData("get fc-00000000000000000000000000000000 --timeout later", "error: --timeout takes a number (seconds), not 'later'")]
    [InlineData("map cliapp square --input - --max-in-flight many", "error: --max-in-flight takes a whole number, not 'many'")]
    [InlineData("dlq list cliapp.fail --limit all", "error: --limit takes a whole number, not 'all'")]
    [InlineData("schedules --next 1.5", "error: --next takes a whole number, not '1.5'")]
    public async Task Run_OptionValueOfTheWrongKind_SaysWhatItTakesInWords(string words, string expected)
    {
        var run = await RunAsync([.. words.Split(' '), "--app-assembly", CliFixture.App, "--rabbitmq", "amqp://guest:guest@127.0.0.1:1/"]);

        AssertUsage(run, expected);
    }

    [Theory]
    [InlineData("call cliapp square abc", "error: argument 'x' of cliapp.square takes a whole number, not \"abc\"")]
    [InlineData("call cliapp square 1.5", "error: argument 'x' of cliapp.square takes a whole number, not 1.5")]
    [InlineData("call cliapp sleep 3000000000", "error: argument 'milliseconds' of cliapp.sleep takes a whole number from -2147483648 to 2147483647, not 3000000000")]
    [InlineData("call cliapp greet [1]", "error: argument 'name' of cliapp.greet takes text, not [1]")]
    [InlineData("spawn cliapp square 1 2", "error: cliapp.square takes 1 argument (x: a whole number), but got 2; remove the extra ones")]
    [InlineData("call cliapp square", "error: cliapp.square needs argument 'x' (a whole number): give 1 argument after the function name, each one JSON value")]
    [InlineData("call cliapp nightly 1", "error: cliapp.nightly takes no arguments, but got 1; remove them")]
    [InlineData("call cliapp squre 7", "error: App 'cliapp' has no function named 'squre'. Known functions: fail, greet, nightly, positive, sleep, square. Did you mean 'square'? A class method is <class>.<method>.")]
    [InlineData("call cliapp counter.ad --param name=a 1", "error: Class 'counter' has no method named 'ad'. Known methods: add. Did you mean 'add'?")]
    [InlineData("call cliap square 7", "error: No app named 'cliap' is in the app assemblies (--app-assembly). Known apps: cliapp. Did you mean 'cliapp'?")]
    public async Task Call_ArgumentsThatDoNotFitTheFunction_ExitTwoBeforeSending(string words, string expected)
    {
        var run = await RunAsync([.. words.Split(' '), "--app-assembly", CliFixture.App, "--rabbitmq", "amqp://guest:guest@127.0.0.1:1/"]);

        AssertUsage(run, expected);
    }

    [Theory]
    [InlineData("call cliapp counter.add 5", "error: cliapp.counter needs --param name=<text> (no default); for example --param name=llama")]
    [InlineData("call cliapp counter.add --param nmae=a 5", "error: --param nmae: cliapp.counter has no parameter 'nmae'; did you mean --param name=...? its parameters: name (text, required), start (a whole number from -2147483648 to 2147483647, has a default)")]
    [InlineData("call cliapp counter.add --param name=a --param start=3000000000 5", "error: --param start=3000000000: 'start' takes a whole number from -2147483648 to 2147483647")]
    [InlineData("call cliapp counter.add --param name=a --param start=ten 5", "error: --param start=ten: 'start' takes a whole number from -2147483648 to 2147483647")]
    [InlineData("call cliapp counter.add --param name=a --param Name=b 5", "error: --param name is given twice; give it once")]
    [InlineData("call cliapp counter.add --param name=a five", "error: argument 'x' of cliapp.counter.add takes a whole number, not \"five\"")]
    public async Task Call_ClassParametersThatDoNotFit_ExitTwoWithCommandLineAdvice(string words, string expected)
    {
        var run = await RunAsync([.. words.Split(' '), "--app-assembly", CliFixture.App, "--rabbitmq", "amqp://guest:guest@127.0.0.1:1/"]);

        AssertUsage(run, expected);
    }

    [Fact]
    public async Task Map_LineThatDoesNotFitTheFunction_ExitsTwoNamingTheLine()
    {
        var input = Path.Combine(Path.GetTempPath(), $"pipeline-cli-usage-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(input, ["1", "\"two\"", "3"]);
        try
        {
            var run = await RunAsync("map", "cliapp", "square", "--input", input, "--app-assembly", CliFixture.App, "--rabbitmq", "amqp://guest:guest@127.0.0.1:1/");

            AssertUsage(run, $"error: {input} line 2: argument 'x' of cliapp.square takes a whole number, not \"two\" (each line is the single argument; --star takes an array of arguments per line)");
        }
        finally
        {
            File.Delete(input);
        }
    }

    /// <summary>Exit 2 before anything connects, a first line that starts as expected, and nothing a C# developer alone would read.</summary>
    private static void AssertUsage(CliRun run, string expected)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Output);
        var first = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        Assert.StartsWith(expected, first, StringComparison.Ordinal);
        foreach (var dotnet in new[] { "System.", "`1", "With(new", "Int32", "Int64", "Nullable", "Exception", "(Parameter '" })
        {
            Assert.DoesNotContain(dotnet, run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Call_NoAppAssembly_SaysHowToGiveOne()
    {
        var run = await RunAsync("call", "cliapp", "square", "7");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: pipeline call needs the app's assembly to know its functions and parameters: pass --app-assembly", run.Error, StringComparison.Ordinal);
    }
}
