using System.Text.Json;
using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Schedules;

[Collection(CliGroup.Name)]
public sealed class ScheduleCommandTests(CliFixture cli)
{
    [Fact]
    public async Task Schedules_Json_ListsEachWithItsNextFireTimes()
    {
        var run = await cli.RunAsync("schedules", "--json", "--next", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        var schedule = JsonDocument.Parse(run.Output).RootElement.EnumerateArray().Single();
        Assert.Equal("nightly", schedule.GetProperty("name").GetString());
        Assert.Equal("cliapp.nightly", schedule.GetProperty("target").GetString());
        Assert.Equal("0 3 * * *", schedule.GetProperty("expression").GetString());
        Assert.Equal("Europe/Berlin", schedule.GetProperty("timeZone").GetString());
        var next = schedule.GetProperty("nextFireTimes").EnumerateArray().Select(t => t.GetDateTimeOffset()).ToList();
        Assert.Equal(2, next.Count);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.All(next, t => Assert.Equal(new TimeSpan(3, 0, 0), TimeZoneInfo.ConvertTime(t, berlin).TimeOfDay));
        Assert.True(next[0] > DateTimeOffset.UtcNow && next[1] > next[0]);
    }

    [Fact]
    public async Task Schedules_Text_IsATable()
    {
        var run = await cli.RunAsync("schedules");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"SCHEDULE\s+.*TARGET\s+.*WHEN\s+.*NEXT \(UTC\)", run.Output);
        Assert.Matches(@"nightly\s+.*cliapp\.nightly\s+.*cron 0 3 \* \* \* \(Europe/Berlin\)", run.Output);
    }

    [Fact]
    public async Task Trigger_UnknownSchedule_ExitsOneListingTheKnownOnes()
    {
        var run = await cli.RunAsync("schedules", "trigger", "weekly");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nightly", run.Error, StringComparison.Ordinal);
    }
}
