using System.Text.Json;
using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Calls;

[Collection(CliGroup.Name)]
public sealed class SpawnAndGetTests(CliFixture cli)
{
    [Fact]
    public async Task Spawn_ThenGet_PrintsTheIdThenTheResult()
    {
        var spawn = await cli.RunAsync("spawn", "cliapp", "square", "12");
        var id = spawn.Output.Trim();

        var get = await cli.RunAsync("get", id, "--timeout", "30");

        Assert.True(spawn.ExitCode == 0, spawn.ToString());
        Assert.Matches("^fc-[0-9a-f]{32}$", id);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("144", get.Output.Trim());
    }

    [Fact]
    public async Task Get_Json_HasStatusAttemptsAndValue()
    {
        var id = (await cli.RunAsync("spawn", "cliapp", "greet", "get")).Output.Trim();

        var get = await cli.RunAsync("get", id, "--json");

        Assert.True(get.ExitCode == 0, get.ToString());
        using var outcome = JsonDocument.Parse(get.Output);
        Assert.Equal(id, outcome.RootElement.GetProperty("callId").GetString());
        Assert.Equal("Succeeded", outcome.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, outcome.RootElement.GetProperty("attempts").GetInt32());
        Assert.Equal("hello get", outcome.RootElement.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Get_StillRunning_ExitsFour()
    {
        var id = (await cli.RunAsync("spawn", "cliapp", "sleep", "20000")).Output.Trim();

        var get = await cli.RunAsync("get", id, "--timeout", "0");

        Assert.Equal(4, get.ExitCode);
        Assert.Equal($"error: call {id} is still running after 0 s; run pipeline get {id} again later", get.Error.Trim());
    }

    [Fact]
    public async Task Get_FailedCall_ExitsOneWithTheError()
    {
        var id = (await cli.RunAsync("spawn", "cliapp", "fail", "spawned")).Output.Trim();

        var get = await cli.RunAsync("get", id, "--timeout", "30");

        Assert.Equal(1, get.ExitCode);
        Assert.Equal($"error: Failed: System.InvalidOperationException: spawned fails on purpose (call {id}, 1 attempt)", get.Error.Trim());
    }

    [Fact]
    public async Task Get_UnknownId_ExitsOne()
    {
        var run = await cli.RunAsync("get", "fc-0123456789abcdef0123456789abcdef");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: call fc-0123456789abcdef0123456789abcdef is unknown", run.Error, StringComparison.Ordinal);
    }
}
