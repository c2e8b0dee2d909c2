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
    public async Task Run_OptionOfTheWrongType_ExitsTwo()
    {
        var run = await RunAsync("call", "cliapp", "square", "7", "--timeout", "soon");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: Cannot parse argument 'soon' for option '--timeout'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownVerb_ExitsTwo()
    {
        var run = await RunAsync("deploy");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: Unrecognized command or argument 'deploy'.", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call", "cliapp", "square", "7")]
    [InlineData("pools")]
    [InlineData("dlq", "replay", "cliapp.fail", "--all")]
    public async Task Run_BrokerDown_PrintsOneLineAndExitsThree(params string[] args)
    {
        // Nothing listens on port 1: the connection is refused, as when RabbitMQ is stopped.
        var run = await RunAsync([.. args, "--app-assembly", CliFixture.App, "--rabbitmq", "amqp://guest:secret-password@127.0.0.1:1/"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Equal(
            "error: cannot reach RabbitMQ at 127.0.0.1:1 (connection refused); start it with infra/up.sh or set PIPELINE_RABBITMQ (or --rabbitmq)",
            run.Error.Trim());
        Assert.DoesNotContain("secret-password", run.Error + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DatabaseDown_PrintsOneLineAndExitsThree()
    {
        var run = await RunAsync("get", "fc-00000000000000000000000000000000", "--postgres", "Host=127.0.0.1;Port=1;Username=pipeline;Password=secret-password;Database=pipeline");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal(
            "error: cannot reach PostgreSQL at 127.0.0.1:1 (connection refused); start it with infra/up.sh or set PIPELINE_POSTGRES (or --postgres)",
            run.Error.Trim());
        Assert.DoesNotContain("secret-password", run.Error + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_NoAppAssembly_SaysHowToGiveOne()
    {
        var run = await RunAsync("call", "cliapp", "square", "7");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: pipeline call needs the app's assembly to know its functions and parameters: pass --app-assembly", run.Error, StringComparison.Ordinal);
    }
}
