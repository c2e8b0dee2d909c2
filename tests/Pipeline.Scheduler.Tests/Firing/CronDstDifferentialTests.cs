using NCrontab;
using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>
/// The written DST rule (docs/schedules.md, "Time zones and DST": Vixie cron's) against what the service fires, for a
/// corpus of expressions in zones with and without daylight saving time, over all of 2026. The reference knows nothing
/// of the scheduler's code: it walks every real minute of the year in UTC, reads the wall clock, asks NCrontab whether
/// the wall-clock minute matches, and applies the rule: a wildcard expression (minute or hour field starting with
/// <c>*</c>) fires at every real minute that matches; a fixed-time one fires at a matching minute unless that wall-clock
/// time already happened (the second pass of a repeated hour), and once at the jump for matching times a gap skipped.
/// The fires come from <see cref="FireDriver"/>: the trigger the service stores and moves on after each fire.
/// </summary>
public sealed class CronDstDifferentialTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime[]> Walls = new();

    private static readonly string[] Zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Australia/Lord_Howe"];

    private static readonly string[] Expressions =
    [
        "0 1-3 * * *", "0 2 * * *", "30 2 * * *", "0,30 2 * * *", "15,45 1-3 * * *", "0 0-23/2 * * *", "59 1 * * *",
        "0 3 * * *", "30 1 * * *", "0 * * * *", "*/15 * * * *", "* 2 * * *", "*/20 1-3 * * *", "5 */3 * * *",
        "0 2 * * SUN", "30 2 * 10 0", "0 1 25 10 *", "0 2 1-7 * 0", "45 3 * * 0", "0 0 * * *", "@hourly", "@daily",
        "*/30 2 * * *", "10 2-4/1 * * *", "0 12 13 * 5",
    ];

    public static TheoryData<string, string> Corpus()
    {
        var data = new TheoryData<string, string>();
        foreach (var zone in Zones)
        {
            foreach (var expression in Expressions)
            {
                data.Add(expression, zone);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task FireTimes_OverAYearAcrossDstChanges_FollowTheWrittenRule(string expression, string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        Assert.Null(CronText.TryParse(expression, out var timing));
        var expected = Reference(timing!.Fields, zone);
        var driver = new FireDriver(Schedules.Cron(expression, zoneId), From.AddTicks(-1));

        await driver.RunUntilAsync(To.AddTicks(-1));
        var actual = driver.Fired;

        var first = Enumerable.Range(0, Math.Min(expected.Count, actual.Count)).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(
            first < 0 && expected.Count == actual.Count,
            $"{expression} in {zoneId}: {actual.Count} fires, the rule says {expected.Count}; first difference at #{first}: " +
            (first < 0 ? "(lengths)" : $"fired {Local(actual[first], zone)}, the rule says {Local(expected[first], zone)}"));
        Assert.NotEmpty(actual);
    }

    private static string Local(DateTimeOffset time, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(time, zone).ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture);

    private static List<DateTimeOffset> Reference(string fields, TimeZoneInfo zone)
    {
        var parts = fields.Split(' ');
        var wildcard = parts[0].StartsWith('*') || parts[1].StartsWith('*');

        // Matching wall-clock minutes, by NCrontab (with the union for both day fields, and 7 as 0).
        var ncrontab = Pipeline.Scheduler.Definitions.CronText.ForNCrontab(fields).Split(' ');
        string[] forms = ncrontab[2] != "*" && ncrontab[4] != "*"
            ? [string.Join(' ', ncrontab[0], ncrontab[1], ncrontab[2], ncrontab[3], "*"), string.Join(' ', ncrontab[0], ncrontab[1], "*", ncrontab[3], ncrontab[4])]
            : [string.Join(' ', ncrontab)];
        var matches = forms.SelectMany(f => CrontabSchedule.Parse(f).GetNextOccurrences(new DateTime(2025, 12, 30), new DateTime(2027, 1, 3))).ToHashSet();

        var walls = Walls.GetOrAdd(zone.Id, _ => Enumerable.Range(0, (int)(To - From).TotalMinutes).Select(m => TimeZoneInfo.ConvertTime(From.AddMinutes(m), zone).DateTime).ToArray());
        var fires = new List<DateTimeOffset>();
        var latestWall = DateTime.MinValue;
        var previousWall = DateTime.MinValue;
        for (var minute = 0; minute < walls.Length; minute++)
        {
            var t = From.AddMinutes(minute);
            var wall = walls[minute];
            var fire = false;
            if (wildcard)
            {
                fire = matches.Contains(wall);
            }
            else
            {
                // First pass only: a wall-clock time no later than one already seen came again (the clocks went back).
                fire = matches.Contains(wall) && wall > latestWall;

                // A jump forward: matching times it skipped fire once, now.
                for (var skipped = previousWall.AddMinutes(1); previousWall != DateTime.MinValue && skipped < wall; skipped = skipped.AddMinutes(1))
                {
                    fire |= matches.Contains(skipped);
                }
            }

            latestWall = wall > latestWall ? wall : latestWall;
            previousWall = wall;
            if (fire)
            {
                fires.Add(t);
            }
        }

        return fires;
    }
}
