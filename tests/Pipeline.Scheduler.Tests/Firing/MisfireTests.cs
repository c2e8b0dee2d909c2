using Pipeline.Scheduler.Firing;
using Pipeline.Scheduler.Occurrences;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>
/// Downtime as the service lives it (<see cref="FireDriver"/>: the stored trigger, the firer, the trigger moved on after
/// each fire), against the documented policy: an occurrence no later than the threshold runs; a later one is missed;
/// Skip runs none of the missed, RunOnce the most recent within its window; every skipped occurrence gets a log line.
/// </summary>
public sealed class MisfireTests
{
    private static readonly DateTimeOffset Three = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunOnce_AfterDowntime_RunsTheLatestMissedOccurrenceAndLogsEachOlderOne()
    {
        var driver = new FireDriver(Schedules.Cron("*/10 * * * *", misfire: ScheduleMisfire.RunOnce, window: TimeSpan.FromHours(1)), Three.AddMinutes(-5), Threshold);
        await driver.RunUntilAsync(Three);

        // Down from 03:01 to 03:47: 03:10 ... 03:40 were missed.
        await driver.ResumeAtAsync(Three.AddMinutes(47));
        await driver.RunUntilAsync(Three.AddMinutes(60));

        Assert.Equal([Three, Three.AddMinutes(40), Three.AddMinutes(50), Three.AddMinutes(60)], driver.Fired);
        Assert.Equal(["03:10:00", "03:20:00", "03:30:00"], driver.SkippedLines.Select(l => l[(l.IndexOf('T', StringComparison.Ordinal) + 1)..][..8]));
    }

    [Fact]
    public async Task Skip_AfterDowntime_OccurrencesWithinTheThresholdStillFire()
    {
        var driver = new FireDriver(Schedules.Period("30s", start: Three, misfire: ScheduleMisfire.Skip), Three.AddMinutes(-1), Threshold);
        await driver.RunUntilAsync(Three);

        // Back at 03:05:10: 03:00:30 ... 03:04:00 are later than the threshold; 03:04:30 and 03:05:00 are not.
        await driver.ResumeAtAsync(Three.AddSeconds(310));

        Assert.Equal([Three, Three.AddSeconds(270), Three.AddSeconds(300)], driver.Fired);
        Assert.Equal(8, driver.SkippedLines.Count);
        Assert.Equal(Three.AddSeconds(330), driver.NextAt);
    }

    public static TheoryData<string, int, ScheduleMisfire, int> Outages()
    {
        var data = new TheoryData<string, int, ScheduleMisfire, int>();
        foreach (var timing in new[] { "*/7 * * * *", "0 * * * *", "20s", "45s", "1m", "13m", "0 3 * * *" })
        {
            foreach (var downSeconds in new[] { 30, 61, 95, 400, 1_900, 4_000, 20_000 })
            {
                foreach (var misfire in new[] { ScheduleMisfire.Skip, ScheduleMisfire.RunOnce })
                {
                    foreach (var windowMinutes in new[] { 5, 60 })
                    {
                        data.Add(timing, downSeconds, misfire, windowMinutes);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task AnyOutage_EveryOccurrenceRunsOrIsLoggedAsSkipped_AsThePolicySays(string timing, int downSeconds, ScheduleMisfire misfire, int windowMinutes)
    {
        var window = TimeSpan.FromMinutes(windowMinutes);
        var schedule = timing.Contains(' ', StringComparison.Ordinal)
            ? Schedules.Cron(timing, misfire: misfire, window: window)
            : Schedules.Period(timing, start: Three.AddHours(-2).AddSeconds(13), misfire: misfire, window: window);
        var driver = new FireDriver(schedule, Three.AddHours(-2), Threshold);
        var down = Three.AddMinutes(-1).AddSeconds(17);
        await driver.RunUntilAsync(down);
        var before = driver.Fired.Count;
        var back = down.AddSeconds(downSeconds);

        await driver.ResumeAtAsync(back);
        await driver.RunUntilAsync(back.AddHours(2));

        // The occurrences the outage covered, and what the documented policy does with each.
        var clock = ScheduleClock.For(schedule, Three.AddHours(-2));
        var covered = new List<DateTimeOffset>();
        for (var next = clock.NextAfter(driver.Fired.Take(before).LastOrDefault(down.AddTicks(-1))); next is { } t && t <= back; next = clock.NextAfter(t))
        {
            covered.Add(t);
        }

        var missed = covered.Where(t => back - t > Threshold).ToList();
        var expectedRuns = covered.Where(t => back - t <= Threshold).ToList();
        if (misfire == ScheduleMisfire.RunOnce && missed.Count > 0 && back - missed[^1] <= window)
        {
            expectedRuns.Insert(0, missed[^1]);
        }

        var runs = driver.Fired.Skip(before).Where(t => t <= back).ToList();
        Assert.Equal(expectedRuns, runs);
        var skipped = missed.Except(expectedRuns).Select(ScheduleFirer.Utc).ToList();
        // Each skipped occurrence has its line; past the first hundred of one outage, one line gives the rest as a range.
        Assert.Equal(skipped.Take(MisfireRule.ListedSkips), driver.SkippedLines.Select(l => l.Split(' ')[3]).ToList());
        var ranges = driver.Logger.Lines.Where(l => l.EventId == 3012).Select(l => l.Message).ToList();
        Assert.Equal(skipped.Count > MisfireRule.ListedSkips ? 1 : 0, ranges.Count);
        Assert.All(ranges, r => Assert.Contains($"after {skipped[MisfireRule.ListedSkips - 1]}", r, StringComparison.Ordinal));

        // Afterwards it is back on its occurrences, each once.
        var after = driver.Fired.Where(t => t > back).ToList();
        Assert.Equal(clock.Next(back, after.Count), after);
        Assert.True(after.Count > 0 || timing == "0 3 * * *", "the schedule fires again after the outage");
    }

    [Fact]
    public async Task Skip_LongOutageOfAShortPeriod_ListsTheFirstSkipsAndReportsTheRestAsOneRange()
    {
        var driver = new FireDriver(Schedules.Period("1s", start: Three), Three.AddSeconds(-1), Threshold);
        await driver.RunUntilAsync(Three);

        await driver.ResumeAtAsync(Three.AddDays(2));

        Assert.Equal(MisfireRule.ListedSkips, driver.SkippedLines.Count);
        var range = Assert.Single(driver.Logger.Lines, l => l.EventId == 3012).Message;
        Assert.Contains($"up to {ScheduleFirer.Utc(Three.AddDays(2).AddSeconds(-61))}", range, StringComparison.Ordinal);
        Assert.Equal(61, driver.Fired.Count - 1);
    }
}
