using System.Text.Json;
using Pipeline.Cli.Tests.Infrastructure;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.Cli.Tests.DeadLetters;

[Collection(CliGroup.Name)]
public sealed class DeadLetterCommandTests(CliFixture cli)
{
    [Fact]
    public async Task List_ShowsReasonAndAttempts_AndLosesNothing()
    {
        var tag = "dlq-" + Guid.NewGuid().ToString("N")[..6];
        var spawned = (await cli.RunAsync("spawn", "cliapp", "fail", tag)).Output.Trim();
        await WaitForLetterAsync(spawned);

        var first = await ListAsync();
        var second = await ListAsync();

        var letter = first.Single(l => l.GetProperty("callId").GetString() == spawned);
        Assert.Equal("Failed", letter.GetProperty("status").GetString());
        Assert.Equal("System.InvalidOperationException", letter.GetProperty("errorType").GetString());
        Assert.Equal($"{tag} fails on purpose", letter.GetProperty("reason").GetString());
        Assert.Equal(1, letter.GetProperty("attempts").GetInt32());
        Assert.Equal("cliapp.fail", letter.GetProperty("target").GetString());
        Assert.Equal(first.Select(Id).Order(), second.Select(Id).Order());
    }

    [Fact]
    public async Task List_Text_IsATable()
    {
        var tag = "dlq-" + Guid.NewGuid().ToString("N")[..6];
        var spawned = (await cli.RunAsync("spawn", "cliapp", "fail", tag)).Output.Trim();
        await WaitForLetterAsync(spawned);

        var run = await cli.RunAsync("dlq", "list", "cliapp.fail");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"CALL ID\s+.*TARGET\s+.*STATUS\s+.*ATTEMPTS\s+.*REASON", run.Output);
        Assert.Matches($@"{spawned}\s+.*cliapp\.fail\s+.*Failed\s+.*1\s+.*System\.InvalidOperationException: {tag} fails on purpose", run.Output);
    }

    [Fact]
    public async Task Replay_ById_SendsANewCallAndRemovesOnlyThatLetter()
    {
        var replayed = (await cli.RunAsync("spawn", "cliapp", "fail", "replay-me")).Output.Trim();
        var kept = (await cli.RunAsync("spawn", "cliapp", "fail", "keep-me")).Output.Trim();
        await WaitForLetterAsync(replayed);
        await WaitForLetterAsync(kept);

        var run = await cli.RunAsync("dlq", "replay", "cliapp.fail", "--id", replayed, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var copy = JsonDocument.Parse(run.Output).RootElement.EnumerateArray().Single();
        Assert.Equal(replayed, copy.GetProperty("from").GetString());
        var newId = copy.GetProperty("callId").GetString()!;
        Assert.NotEqual(replayed, newId);

        // The copy runs (and fails again, as the function always does): its own result and its own dead letter.
        var get = await cli.RunAsync("get", newId, "--timeout", "30");
        Assert.Equal(1, get.ExitCode);
        Assert.Contains("replay-me fails on purpose", get.Error, StringComparison.Ordinal);
        await WaitForLetterAsync(newId);
        var ids = (await ListAsync()).Select(Id).ToList();
        Assert.DoesNotContain(replayed, ids);
        Assert.Contains(kept, ids);
    }

    [Fact]
    public async Task Replay_All_EmptiesTheQueueOfWhatWasThere()
    {
        var pool = "cliapp.positive";
        var id = (await cli.RunAsync("spawn", "cliapp", "positive", "--", "-5")).Output.Trim();
        await WaitForLetterAsync(id, pool);

        var run = await cli.RunAsync("dlq", "replay", pool, "--all");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($"^replayed {id} as fc-[0-9a-f]{{32}} to {pool}$", run.OutputLines.Single(l => l.Contains(id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Replay_NeitherIdNorAll_ExitsTwo()
    {
        var run = await cli.RunAsync("dlq", "replay", "cliapp.fail");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: say which dead letters to replay: --id <call id> (repeatable) or --all, not both", run.Error.Trim());
    }

    [Fact]
    public async Task Replay_UnknownId_ExitsOne()
    {
        var run = await cli.RunAsync("dlq", "replay", "cliapp.fail", "--id", "fc-ffffffffffffffffffffffffffffffff");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: no dead letter fc-ffffffffffffffffffffffffffffffff in cliapp.fail_error; pipeline dlq list cliapp.fail shows them", run.Error.Trim());
    }

    [Fact]
    public async Task List_UnknownPool_ExitsOne()
    {
        var run = await cli.RunAsync("dlq", "list", "cliapp.nothing-here");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: pool 'cliapp.nothing-here' has no error queue 'cliapp.nothing-here_error'", run.Error, StringComparison.Ordinal);
    }

    private static string Id(JsonElement letter) => letter.GetProperty("callId").GetString()!;

    private async Task<List<JsonElement>> ListAsync(string pool = "cliapp.fail")
    {
        var run = await cli.RunAsync("dlq", "list", pool, "--json", "--limit", "1000");
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Output).RootElement.EnumerateArray().ToList();
    }

    private Task WaitForLetterAsync(string callId, string pool = "cliapp.fail") => Eventually.TrueAsync(
        async () => (await ListAsync(pool)).Any(l => Id(l) == callId),
        TimeSpan.FromSeconds(30),
        $"{callId} is in {pool}_error");
}
