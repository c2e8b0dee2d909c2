using Npgsql;
using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Hosting;

/// <summary>
/// Servers that answer and refuse: the shared broker asked for a virtual host it does not have or with a wrong
/// password, the shared PostgreSQL with a wrong password or a database it does not have, and a management API that is
/// not there. Each verb exits 3 with one line naming what to fix, every time.
/// </summary>
[Collection(CliGroup.Name)]
public sealed class ConnectionErrorTests(CliFixture cli) : IDisposable
{
    private const string Password = "not-the-password";
    private readonly string _input = WriteInput();

    [Theory]
    [MemberData(nameof(UnreachableServerTests.BrokerVerbs), MemberType = typeof(UnreachableServerTests))]
    public async Task Run_VirtualHostThatDoesNotExist_ExitsThreeNamingIt(string verb)
    {
        // A fresh name each run: no test or engineer has made it.
        var vhost = "pipeline-missing-" + Guid.NewGuid().ToString("N")[..8];
        var broker = new UriBuilder(cli.Servers.RabbitMq) { Path = "/" + vhost };

        // Several times: the failure used to race between a hang and a raw exception.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var run = await RunAsync(verb, "--rabbitmq", broker.Uri.ToString());

            UnreachableServerTests.AssertUnreachable(
                run,
                $"RabbitMQ at {broker.Host}:{broker.Port} refused virtual host '{vhost}' for user '{broker.UserName}' (NOT_ALLOWED - vhost {vhost} not found: it does not exist, or the user may not use it); fix the virtual host (the URI's path) in --rabbitmq");
        }
    }

    [Theory]
    [MemberData(nameof(UnreachableServerTests.BrokerVerbs), MemberType = typeof(UnreachableServerTests))]
    public async Task Run_WrongBrokerPassword_ExitsThreeWithoutThePassword(string verb)
    {
        var broker = new UriBuilder(cli.Servers.RabbitMq) { Password = Password };

        var run = await RunAsync(verb, "--rabbitmq", broker.Uri.ToString());

        UnreachableServerTests.AssertUnreachable(run, $"RabbitMQ at {broker.Host}:{broker.Port} refused user '{broker.UserName}' (wrong user or password); fix the credentials in --rabbitmq");
        Assert.DoesNotContain(Password, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnreachableServerTests.DatabaseVerbs), MemberType = typeof(UnreachableServerTests))]
    [InlineData("spawn cliapp square 7")]
    public async Task Run_WrongDatabasePassword_ExitsThreeWithoutThePassword(string verb)
    {
        var database = new NpgsqlConnectionStringBuilder(cli.Servers.Postgres) { Password = Password };

        var run = await RunAsync(verb, "--postgres", database.ConnectionString);

        UnreachableServerTests.AssertUnreachable(run, $"PostgreSQL at {database.Host}:{database.Port} refused user '{database.Username}' (");
        Assert.EndsWith("fix the user or password in --postgres", run.Error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnreachableServerTests.DatabaseVerbs), MemberType = typeof(UnreachableServerTests))]
    [InlineData("spawn cliapp square 7")]
    public async Task Run_DatabaseThatDoesNotExist_ExitsThreeNamingIt(string verb)
    {
        var name = "pipeline_missing_" + Guid.NewGuid().ToString("N")[..8];
        var database = new NpgsqlConnectionStringBuilder(cli.Servers.Postgres) { Database = name };

        var run = await RunAsync(verb, "--postgres", database.ConnectionString);

        UnreachableServerTests.AssertUnreachable(run, $"PostgreSQL at {database.Host}:{database.Port}: database \"{name}\" does not exist; fix the Database in --postgres");
    }

    [Fact]
    public async Task Pools_ManagementApiNotListening_ExitsThreeNamingTheSetting()
    {
        var port = SilentServer.ClosedPort();
        var environment = cli.Environment();
        environment["Pipeline__RabbitMq__ManagementUri"] = $"http://127.0.0.1:{port}/";

        var run = await CliProcess.RunAsync(environment, ["pools"]);

        UnreachableServerTests.AssertUnreachable(run, $"Could not connect to the RabbitMQ management API at http://127.0.0.1:{port}/");
        Assert.Contains("Pipeline:RabbitMq:ManagementUri", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pools_ManagementApiNeverAnswers_ExitsThreeAfterTheDeadline()
    {
        using var silent = new SilentServer();
        var environment = cli.Environment();
        environment["Pipeline__RabbitMq__ManagementUri"] = $"http://127.0.0.1:{silent.Port}/";

        var run = await CliProcess.RunAsync(environment, ["pools"]);

        UnreachableServerTests.AssertUnreachable(run, $"the RabbitMQ management API at http://127.0.0.1:{silent.Port}/ did not answer within 15 s; check Pipeline:RabbitMq:ManagementUri");
    }

    public void Dispose() => File.Delete(_input);

    private static string WriteInput()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pipeline-cli-connection-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, "1\n2\n");
        return path;
    }

    // The run's own environment (so nothing falls back to the shared servers' defaults), with the one server overridden.
    private Task<CliRun> RunAsync(string verb, params string[] server) =>
        CliProcess.RunAsync(cli.Environment(), [.. verb.Replace("{input}", _input, StringComparison.Ordinal).Split(' '), .. server]);
}
