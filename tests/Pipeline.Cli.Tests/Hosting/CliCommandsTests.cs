using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Hosting;

[Collection(CliGroup.Name)]
public sealed class CliCommandsTests(CliFixture cli)
{
    [Theory]
    [InlineData("dev")]
    [InlineData("call")]
    [InlineData("spawn")]
    [InlineData("get")]
    [InlineData("map")]
    [InlineData("pools")]
    [InlineData("dlq", "list")]
    [InlineData("dlq", "replay")]
    [InlineData("schedules")]
    [InlineData("schedules", "trigger")]
    public async Task Help_EveryVerb_PrintsUsageAndExitsZero(params string[] verb)
    {
        var run = await cli.RunAsync([.. verb, "--help"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"pipeline {string.Join(' ', verb)}", run.Output, StringComparison.Ordinal);
        Assert.Contains("--json", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingArgument_ExitsTwoWithTheParsersMessageAndAHint()
    {
        var run = await cli.RunAsync("get");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Equal(
            ["error: Required argument missing for command: 'get'.", "Run 'pipeline get --help' for usage."],
            run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Run_OptionOfTheWrongType_ExitsTwo()
    {
        var run = await cli.RunAsync("call", "cliapp", "square", "7", "--timeout", "soon");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: Cannot parse argument 'soon' for option '--timeout'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownVerb_ExitsTwo()
    {
        var run = await cli.RunAsync("deploy");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: Unrecognized command or argument 'deploy'.", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call", "cliapp", "square", "7")]
    [InlineData("spawn", "cliapp", "square", "7")]
    [InlineData("map", "cliapp", "square", "--input", "-")]
    [InlineData("pools")]
    [InlineData("dlq", "list", "cliapp.fail")]
    [InlineData("dlq", "replay", "cliapp.fail", "--all")]
    public async Task Run_BrokerDown_PrintsOneLineAndExitsThree(params string[] args)
    {
        // Nothing listens on port 1: the connection is refused, as when RabbitMQ is stopped.
        var run = await cli.RunAsync([.. args, "--rabbitmq", "amqp://guest:secret-password@127.0.0.1:1/"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Equal(
            "error: cannot reach RabbitMQ at 127.0.0.1:1 (connection refused); start it with infra/up.sh or set PIPELINE_RABBITMQ (or --rabbitmq)",
            run.Error.Trim());
        Assert.DoesNotContain("secret-password", run.Error + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DatabaseDown_PrintsOneLineAndExitsThree()
    {
        var run = await cli.RunAsync("get", "fc-00000000000000000000000000000000", "--postgres", "Host=127.0.0.1;Port=1;Username=pipeline;Password=secret-password;Database=pipeline");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal(
            "error: cannot reach PostgreSQL at 127.0.0.1:1 (connection refused); start it with infra/up.sh or set PIPELINE_POSTGRES (or --postgres)",
            run.Error.Trim());
        Assert.DoesNotContain("secret-password", run.Error + run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WrongBrokerPassword_SaysSoWithoutThePassword()
    {
        var broker = new UriBuilder(cli.Servers.RabbitMq) { Password = "not-the-password" };

        var run = await cli.RunAsync("pools", "--rabbitmq", broker.Uri.ToString());

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith($"error: RabbitMQ at {broker.Host}:{broker.Port} refused user '{broker.UserName}' (wrong user or password)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_NoAppAssembly_SaysHowToGiveOne()
    {
        var environment = cli.Environment();
        environment.Remove("Pipeline__Cli__Apps__0");

        var run = await CliProcess.RunAsync(environment, ["call", "cliapp", "square", "7"]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: pipeline call needs the app's assembly to know its functions and parameters: pass --app-assembly", run.Error, StringComparison.Ordinal);
    }
}
