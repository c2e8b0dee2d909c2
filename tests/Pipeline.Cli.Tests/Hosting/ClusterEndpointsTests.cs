using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Hosting;

/// <summary>
/// With <c>Pipeline:RabbitMq:Endpoints</c> and <c>ManagementUris</c> (a cluster), the command's own broker and
/// management checks try every node in order: a dead node is named on standard error and the next one serves; when no
/// node answers, the one error line names each node with its cause.
/// </summary>
[Collection(CliGroup.Name)]
public sealed class ClusterEndpointsTests(CliFixture cli)
{
    [Fact]
    public async Task Pools_FirstEndpointDown_UsesTheNextNodeAndNamesTheDeadOne()
    {
        var closed = SilentServer.ClosedPort();
        var live = new Uri(cli.Servers.RabbitMq);
        var environment = cli.Environment();
        environment["Pipeline__RabbitMq__Endpoints__0"] = $"127.0.0.1:{closed}";
        environment["Pipeline__RabbitMq__Endpoints__1"] = $"{live.Host}:{live.Port}";

        var run = await CliProcess.RunAsync(environment, ["pools"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"warning: RabbitMQ node(s) not reachable: 127.0.0.1:{closed} (connection refused); connected to {live.Host}:{live.Port}", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnreachableServerTests.BrokerVerbs), MemberType = typeof(UnreachableServerTests))]
    public async Task Run_NoEndpointAnswers_ExitsThreeNamingEachNodeWithItsCause(string verb)
    {
        var first = SilentServer.ClosedPort();
        var second = SilentServer.ClosedPort();
        var environment = cli.Environment();
        environment["Pipeline__RabbitMq__Endpoints__0"] = $"127.0.0.1:{first}";
        environment["Pipeline__RabbitMq__Endpoints__1"] = "pipeline-test.invalid:5672";
        environment["Pipeline__RabbitMq__Endpoints__2"] = $"127.0.0.1:{second}";
        var input = Path.Combine(Path.GetTempPath(), $"pipeline-cli-endpoints-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(input, "1\n2\n");
        try
        {
            var run = await CliProcess.RunAsync(environment, [.. verb.Replace("{input}", input, StringComparison.Ordinal).Split(' ')]);

            UnreachableServerTests.AssertUnreachable(
                run,
                $"cannot reach any of the 3 RabbitMQ nodes of Pipeline:RabbitMq:Endpoints: 127.0.0.1:{first} (connection refused); " +
                $"pipeline-test.invalid:5672 (host not found); 127.0.0.1:{second} (connection refused); start them (infra/cluster.sh up) or fix Pipeline:RabbitMq:Endpoints");
        }
        finally
        {
            File.Delete(input);
        }
    }

    [Fact]
    public async Task Pools_FirstManagementUriDown_ListsThroughTheNextNode()
    {
        var environment = cli.Environment();
        environment["Pipeline__RabbitMq__ManagementUris__0"] = $"http://127.0.0.1:{SilentServer.ClosedPort()}/";
        environment["Pipeline__RabbitMq__ManagementUris__1"] = cli.Servers.ManagementUri.ToString();

        var run = await CliProcess.RunAsync(environment, ["pools", "--json"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("[", run.Output.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pools_NoManagementUriAnswers_ExitsThreeNamingEachNode()
    {
        var first = SilentServer.ClosedPort();
        var second = SilentServer.ClosedPort();
        var environment = cli.Environment();
        environment["Pipeline__RabbitMq__ManagementUris__0"] = $"http://127.0.0.1:{first}/";
        environment["Pipeline__RabbitMq__ManagementUris__1"] = $"http://127.0.0.1:{second}/";

        var run = await CliProcess.RunAsync(environment, ["pools"]);

        UnreachableServerTests.AssertUnreachable(
            run,
            $"Could not reach the RabbitMQ management API of any node: http://127.0.0.1:{first}/ (connection refused); http://127.0.0.1:{second}/ (connection refused).");
        Assert.Contains("Pipeline:RabbitMq:ManagementUris", run.Error, StringComparison.Ordinal);
    }
}
