using System.Text.Json;
using Pipeline.Cli.Tests.Infrastructure;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.Cli.Tests.Pools;

/// <summary>
/// <c>pipeline pools scale</c> changes the autoscaler of a pool that a running worker host serves, without restarting
/// it; <c>pipeline pools</c> shows the containers per host.
/// </summary>
[Collection(CliGroup.Name)]
public sealed class PoolScaleCommandTests(CliFixture cli)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PoolsScale_RunningHost_MinAddsAWarmContainerAndALowerMaxStopsItWithoutARestart()
    {
        Assert.Equal(0, (await cli.RunAsync("call", "cliapp", "greet", "scale")).ExitCode);
        try
        {
            var up = await cli.RunAsync("pools", "scale", "cliapp.greet", "--min", "2");
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Contains("min 2", up.Output, StringComparison.Ordinal);

            // The same worker process, never restarted, now runs two containers of the pool (both on CPU slots).
            JsonElement pool = default;
            await Eventually.TrueAsync(async () => (pool = await PoolAsync()).GetProperty("containers").GetInt32() == 2, Patience, "two containers after --min 2");
            var running = pool.GetProperty("running").EnumerateArray().ToList();
            Assert.All(running, c => Assert.EndsWith($":{cli.Worker.Pid}", c.GetProperty("host").GetString(), StringComparison.Ordinal));
            Assert.All(running, c => Assert.Equal(0, c.GetProperty("gpus").GetArrayLength()));
            Assert.Equal([0, 1], running.Select(c => c.GetProperty("slot").GetInt32()).Order());
            var table = await cli.RunAsync("pools");
            Assert.Matches(@"cliapp\.greet containers: \S+:\d+: 2 \(CPU, CPU\)", table.Output);

            var down = await cli.RunAsync("pools", "scale", "cliapp.greet", "--min", "0", "--max", "1");
            Assert.True(down.ExitCode == 0, down.ToString());
            await Eventually.TrueAsync(async () => (pool = await PoolAsync()).GetProperty("containers").GetInt32() == 1, Patience, "one container after --max 1");
            Assert.True(cli.Worker.Count("scaling settings now") >= 2, "the host read both changes");
        }
        finally
        {
            Assert.Equal(0, (await cli.RunAsync("pools", "scale", "cliapp.greet", "--reset")).ExitCode);
        }
    }

    [Theory]
    [InlineData("nothing to change", "pools", "scale", "cliapp.greet")]
    [InlineData("--min 3 is above --max 2", "pools", "scale", "cliapp.greet", "--min", "3", "--max", "2")]
    [InlineData("--buffer 1001 is out of range", "pools", "scale", "cliapp.greet", "--buffer", "1001")]
    [InlineData("no pool queue 'cliapp.nope'", "pools", "scale", "cliapp.nope", "--min", "1")]
    public async Task PoolsScale_BadInput_ExitsTwoNamingTheProblem(string message, params string[] args)
    {
        var run = await cli.RunAsync(args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(message, run.ToString(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> PoolAsync()
    {
        var run = await cli.RunAsync("pools", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement.EnumerateArray().FirstOrDefault(p => p.GetProperty("pool").GetString() == "cliapp.greet").Clone();
    }
}
