using System.Text.RegularExpressions;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Scheduler;

/// <summary>
/// The scheduler process given a mistake, as an operator makes one: it stops before firing anything with exit code 2
/// and one message that names the key and the fix, and no stack trace (before, it died of an unhandled exception with
/// SIGABRT, exit 134). Nothing here reaches the broker or the store: the mistakes are found first.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed partial class BadDefinitionTests(Servers servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static TheoryData<string, string, string, string> Mistakes() => new()
    {
        // name, a setting (key=value; a second one after '|'), the key the message must name, a piece of the fix
        { "bad cron", "x__Function=itest.echo|x__Cron=0 25 * * *", "Pipeline:Scheduler:Schedules:x:Cron", "Use 5 fields" },
        { "bad zone", "x__Function=itest.echo|x__Cron=0 3 * * *|x__TimeZone=Mars/Olympus", "Pipeline:Scheduler:Schedules:x:TimeZone", "IANA" },
        { "bad period", "x__Function=itest.echo|x__Period=3 fortnights", "Pipeline:Scheduler:Schedules:x:Period", "for example \"30s\"" },
        { "unknown target", "x__Function=itest.nope|x__Cron=0 3 * * *", "Pipeline:Scheduler:Schedules:x:Function", "Known functions" },
        { "duplicate names", "nightly-echo__Function=itest.echo|nightly-echo__Cron=0 3 * * *|NightlyEcho__Function=itest.echo|NightlyEcho__Cron=0 4 * * *", "Pipeline:Scheduler:Schedules:", "Keep one of them" },
        { "bad misfire", "x__Function=itest.echo|x__Cron=0 3 * * *|x__Misfire=Sometimes", "Pipeline:Scheduler:Schedules:x:Misfire", "RunOnce" },
        { "typo in a key", "x__Function=itest.echo|x__Crom=0 3 * * *", "Pipeline:Scheduler:Schedules:x:Crom", "Cron" },
        { "bad threshold", "../MisfireThreshold=abc", "Pipeline:Scheduler:MisfireThreshold", "00:01:00" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task Start_BadDefinition_ExitsWithCode2AndOneMessageNamingTheKeyAndTheFix(string mistake, string settings, string key, string fix)
    {
        var environment = settings.Split('|').Select(s => s.Split('=', 2)).ToDictionary(
            kv => kv[0].StartsWith("../", StringComparison.Ordinal) ? "Pipeline__Scheduler__" + kv[0][3..] : "Pipeline__Scheduler__Schedules__" + kv[0],
            kv => kv[1]);
        await using var scheduler = SchedulerProcess.Start(servers, "test_sched_bad", Path.GetTempPath(), environment);

        var code = await scheduler.Exited.WaitAsync(Patience);

        AssertCleanFailure(mistake, code, scheduler.Lines, key, fix);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2026-10-25T03:00")]
    public async Task List_FromNotAnInstant_ExitsWithCode2AndSaysHowToWriteIt(string from)
    {
        await using var scheduler = SchedulerProcess.Start(servers, "test_sched_bad", Path.GetTempPath(), new Dictionary<string, string>(), ["list", "--from", from]);

        var code = await scheduler.Exited.WaitAsync(Patience);

        AssertCleanFailure("list --from " + from, code, scheduler.Lines, "--from", "ISO-8601 with an offset");
    }

    private static void AssertCleanFailure(string mistake, int code, IReadOnlyList<string> lines, string key, string fix)
    {
        var output = string.Join(Environment.NewLine, lines);
        Assert.True(code == 2, $"{mistake}: exit code {code}, expected 2. Output:{Environment.NewLine}{output}");
        var message = Assert.Single(lines, l => l.StartsWith("The scheduler did not start.", StringComparison.Ordinal));
        var block = string.Join(Environment.NewLine, lines.SkipWhile(l => l != message));
        Assert.Contains(key, block, StringComparison.Ordinal);
        Assert.Contains(fix, block, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => StackFrame().IsMatch(l));
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s+at \S+\(")]
    private static partial Regex StackFrame();
}
