using System.Text;
using System.Text.Json;
using Pipeline.Cli.Tests.Infrastructure;
using Pipeline.IntegrationTests.Infrastructure;
using RabbitMQ.Client;

namespace Pipeline.Cli.Tests.Pools;

[Collection(CliGroup.Name)]
public sealed class PoolsCommandTests(CliFixture cli)
{
    [Fact]
    public async Task Pools_ShowsEachPoolWithItsParametersContainersAndDeadLetters_AsJsonAndAsATable()
    {
        var name = "pools-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(0, (await cli.RunAsync("call", "cliapp", "counter.add", "--param", $"name={name}", "--param", "start=2", "1")).ExitCode);
        Assert.Equal(1, (await cli.RunAsync("call", "cliapp", "fail", name)).ExitCode);

        // The management API lists a new queue within its sampling interval (~5 s).
        JsonElement counter = default, fail = default;
        await Eventually.TrueAsync(
            async () =>
            {
                var run = await cli.RunAsync("pools", "--json");
                Assert.True(run.ExitCode == 0, run.ToString());
                var pools = JsonDocument.Parse(run.Output).RootElement.EnumerateArray().ToList();
                counter = pools.FirstOrDefault(p => p.GetProperty("parameters").ValueKind == JsonValueKind.Object
                    && p.GetProperty("parameters").GetProperty("name").GetString() == name);
                fail = pools.FirstOrDefault(p => p.GetProperty("pool").GetString() == "cliapp.fail");
                return counter.ValueKind == JsonValueKind.Object && fail.ValueKind == JsonValueKind.Object;
            },
            TimeSpan.FromSeconds(30),
            "pipeline pools lists the new class pool and the function pool");

        Assert.Equal("cliapp", counter.GetProperty("app").GetString());
        Assert.Equal("class", counter.GetProperty("kind").GetString());
        Assert.Equal("counter", counter.GetProperty("target").GetString());
        Assert.Equal(2, counter.GetProperty("parameters").GetProperty("start").GetInt32());
        Assert.StartsWith("cliapp.counter.p-", counter.GetProperty("pool").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, counter.GetProperty("containers").GetInt32());
        Assert.Equal(0, counter.GetProperty("ready").GetInt64());
        Assert.Equal("function", fail.GetProperty("kind").GetString());
        Assert.True(fail.GetProperty("deadLetters").GetInt64() >= 1, fail.ToString());

        var text = await cli.RunAsync("pools");
        Assert.Equal(0, text.ExitCode);
        Assert.Matches(@"POOL\s+.*APP\s+.*KIND\s+.*TARGET\s+.*PARAMETERS\s+.*READY\s+.*UNACKED\s+.*CONTAINERS\s+.*DEAD", text.Output);
        Assert.Matches($@"cliapp\.counter\.p-\w+\s+.*cliapp\s+.*class\s+.*counter\s+.*{{""name"":""{name}"",""start"":2}}", text.Output);
    }

    [Fact]
    public async Task Pools_InputWaitsAndNoHostServesTheApp_MarksThePoolUnservedAndNamesTheApp()
    {
        var app = "nohost-" + Guid.NewGuid().ToString("N")[..6];
        var queue = $"{app}.work";
        var connection = await new ConnectionFactory { Uri = new Uri(cli.Servers.RabbitMq) }.CreateConnectionAsync();
        await using (connection)
        {
            await using var channel = await connection.CreateChannelAsync();
            var arguments = new Dictionary<string, object?> { ["x-pipeline-app"] = app, ["x-pipeline-kind"] = "function", ["x-pipeline-target"] = "work", ["x-pipeline-parameters"] = "{}" };
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments);
            try
            {
                await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes("{}"));
                JsonElement pool = default;
                await Eventually.TrueAsync(
                    async () =>
                    {
                        var run = await cli.RunAsync("pools", "--json");
                        pool = JsonDocument.Parse(run.Output).RootElement.EnumerateArray().FirstOrDefault(p => p.GetProperty("pool").GetString() == queue);
                        return pool.ValueKind == JsonValueKind.Object && pool.GetProperty("ready").GetInt64() == 1;
                    },
                    TimeSpan.FromSeconds(30),
                    "pipeline pools lists the pool with its input");

                Assert.True(pool.GetProperty("unserved").GetBoolean());
                var text = await cli.RunAsync("pools");
                Assert.Contains($"{queue}: 1 input(s) wait and no host serves this pool. Start a worker host that serves app '{app}'", text.Output, StringComparison.Ordinal);
            }
            finally
            {
                await channel.QueueDeleteAsync(queue);
            }
        }
    }
}
