using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Hosting;

/// <summary>
/// Every verb that talks to a server ends with exit 3 and one line naming the server, the cause and the setting to fix,
/// whatever the server does: nothing listens, the name does not resolve, or it accepts and never answers. Nothing here
/// needs this run's servers. The one-minute bound of <see cref="CliProcess"/> is what catches a hang. The servers that
/// never answer are given 2 s (<c>Pipeline:Cli:ConnectTimeout</c>); ConnectionErrorTests waits out the default 15 s once.
/// </summary>
[Collection(OfflineGroup.Name)]
public sealed class UnreachableServerTests : IDisposable
{
    private const string Password = "secret-password";
    private readonly string _input = Path.Combine(Path.GetTempPath(), $"pipeline-cli-unreachable-{Guid.NewGuid():N}.jsonl");

    public UnreachableServerTests() => File.WriteAllText(_input, "1\n2\n");

    /// <summary>Each verb that opens an AMQP connection, as a user types it (the broker option is added by the test).</summary>
    public static TheoryData<string> BrokerVerbs => new()
    {
        "call cliapp square 7",
        "spawn cliapp square 7",
        "map cliapp square --input {input}",
        "pools",
        "dlq list cliapp.fail",
        "dlq replay cliapp.fail --all",
    };

    /// <summary>Each verb that opens a PostgreSQL connection (and no broker first).</summary>
    public static TheoryData<string> DatabaseVerbs => new()
    {
        "get fc-00000000000000000000000000000000",
        "get fc-00000000000000000000000000000000 --timeout 0",
        "schedules",
        "schedules trigger nightly",
    };

    [Theory]
    [MemberData(nameof(BrokerVerbs))]
    public async Task Run_BrokerPortClosed_ExitsThreeNamingTheBrokerAndTheOption(string verb)
    {
        var port = SilentServer.ClosedPort();

        var run = await RunAsync(verb, "--rabbitmq", $"amqp://guest:{Password}@127.0.0.1:{port}/");

        AssertUnreachable(run, $"cannot reach RabbitMQ at 127.0.0.1:{port} (connection refused); start it with infra/up.sh or fix --rabbitmq");
    }

    [Theory]
    [MemberData(nameof(BrokerVerbs))]
    public async Task Run_BrokerHostDoesNotResolve_ExitsThree(string verb)
    {
        // .invalid never resolves (RFC 2606).
        var run = await RunAsync(verb, "--rabbitmq", $"amqp://guest:{Password}@pipeline-test.invalid:5672/");

        AssertUnreachable(run, "cannot reach RabbitMQ at pipeline-test.invalid:5672 (host not found); start it with infra/up.sh or fix --rabbitmq");
    }

    [Theory]
    [MemberData(nameof(BrokerVerbs))]
    public async Task Run_BrokerNeverAnswers_ExitsThreeAfterTheDeadline(string verb)
    {
        using var silent = new SilentServer();

        var run = await RunAsync(ShortDeadline, verb, "--rabbitmq", $"amqp://guest:{Password}@127.0.0.1:{silent.Port}/");

        AssertUnreachable(run, $"cannot reach RabbitMQ at 127.0.0.1:{silent.Port} (", $"RabbitMQ at 127.0.0.1:{silent.Port} did not answer within 2 s");
    }

    [Fact]
    public async Task Run_BrokerFromTheEnvironment_NamesTheVariableToFix()
    {
        var port = SilentServer.ClosedPort();

        var run = await CliProcess.RunAsync(
            new Dictionary<string, string> { ["PIPELINE_RABBITMQ"] = $"amqp://guest:{Password}@127.0.0.1:{port}/" },
            ["pools"]);

        AssertUnreachable(run, $"cannot reach RabbitMQ at 127.0.0.1:{port} (connection refused); start it with infra/up.sh or fix PIPELINE_RABBITMQ");
    }

    [Theory]
    [MemberData(nameof(DatabaseVerbs))]
    public async Task Run_DatabasePortClosed_ExitsThreeNamingTheDatabaseAndTheOption(string verb)
    {
        var port = SilentServer.ClosedPort();

        var run = await RunAsync(verb, "--postgres", Database("127.0.0.1", port));

        AssertUnreachable(run, $"cannot reach PostgreSQL at 127.0.0.1:{port} (connection refused); start it with infra/up.sh or fix --postgres");
    }

    [Theory]
    [MemberData(nameof(DatabaseVerbs))]
    public async Task Run_DatabaseHostDoesNotResolve_ExitsThree(string verb)
    {
        var run = await RunAsync(verb, "--postgres", Database("pipeline-test.invalid", 5432));

        AssertUnreachable(run, "cannot reach PostgreSQL at pipeline-test.invalid:5432 (host not found); start it with infra/up.sh or fix --postgres");
    }

    [Theory]
    [MemberData(nameof(DatabaseVerbs))]
    public async Task Run_DatabaseNeverAnswers_ExitsThreeAfterTheDeadline(string verb)
    {
        using var silent = new SilentServer();

        var run = await RunAsync(ShortDeadline, verb, "--postgres", Database("127.0.0.1", silent.Port));

        AssertUnreachable(run, $"cannot reach PostgreSQL at 127.0.0.1:{silent.Port} (", $"PostgreSQL at 127.0.0.1:{silent.Port} did not answer within 2 s");
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("00:00:00")]
    [InlineData("01:00:00")]
    public async Task Run_ConnectTimeoutOutOfRange_ExitsTwoNamingTheSetting(string value)
    {
        var run = await RunAsync(new Dictionary<string, string> { ["Pipeline__Cli__ConnectTimeout"] = value }, "pools", "--rabbitmq", $"amqp://guest:{Password}@127.0.0.1:{SilentServer.ClosedPort()}/");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"error: Pipeline:Cli:ConnectTimeout is '{value}': write a duration from 00:00:01 to 00:10:00 (hh:mm:ss), e.g. 00:00:15", run.Error.Trim());
    }

    public void Dispose() => File.Delete(_input);

    /// <summary>One line on standard error that starts with one of <paramref name="starts"/>, nothing on standard output, exit 3, no password.</summary>
    internal static void AssertUnreachable(CliRun run, params string[] starts)
    {
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Equal("", run.Output);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, run.ToString());
        Assert.True(starts.Any(s => lines[0].StartsWith("error: " + s, StringComparison.Ordinal) || lines[0].Contains(s, StringComparison.Ordinal)), run.ToString());
        Assert.DoesNotContain(Password, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
    }

    private static string Database(string host, int port) => $"Host={host};Port={port};Username=pipeline;Password={Password};Database=pipeline";

    private static readonly Dictionary<string, string> ShortDeadline = new() { ["Pipeline__Cli__ConnectTimeout"] = "00:00:02" };

    private Task<CliRun> RunAsync(string verb, params string[] server) => RunAsync(new Dictionary<string, string>(), verb, server);

    private Task<CliRun> RunAsync(Dictionary<string, string> environment, string verb, params string[] server) =>
        CliProcess.RunAsync(environment, [.. verb.Replace("{input}", _input, StringComparison.Ordinal).Split(' '), "--app-assembly", CliFixture.App, .. server]);
}
