
namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>
/// Cron in a zone with daylight saving time (Europe/Berlin: clocks go 02:00 -> 03:00 on 2026-03-29 and 03:00 -> 02:00
/// on 2026-10-25; America/New_York: 2026-03-08 and 2026-11-01). Fire times come from the trigger the service stores and
/// moves on after each fire, on a fake clock: nothing waits.
/// </summary>
public sealed class CronDstTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static async Task<List<DateTimeOffset>> FiresAsync(string cron, string zone, DateTimeOffset from, DateTimeOffset to)
    {
        var driver = new FireDriver(Schedules.Cron(cron, zone), from.AddTicks(-1));
        await driver.RunUntilAsync(to.AddTicks(-1));
        return driver.Fired;
    }

    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);

    private static string Local(DateTimeOffset time, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(time, zone).ToString("MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task DailyCron_AcrossBothChanges_KeepsLocalTimeAndMovesInUtc()
    {
        var fires = await FiresAsync("0 6 * * *", "Europe/Berlin", At("2026-03-27T00:00Z"), At("2026-03-31T00:00Z"));

        Assert.Equal(["03-27 06:00 +01:00", "03-28 06:00 +01:00", "03-29 06:00 +02:00", "03-30 06:00 +02:00"], fires.Select(f => Local(f, Berlin)));
        Assert.Equal([5, 5, 4, 4], fires.Select(f => f.UtcDateTime.Hour));
    }

    [Fact]
    public async Task CronInTheSkippedHour_FiresOnceWhenTheClocksJump()
    {
        var fires = await FiresAsync("30 2 * * *", "Europe/Berlin", At("2026-03-28T00:00Z"), At("2026-03-31T00:00Z"));

        // 02:30 does not exist on 03-29: it fires at 03:00, the first minute after the jump, and once.
        Assert.Equal(["03-28 02:30 +01:00", "03-29 03:00 +02:00", "03-30 02:30 +02:00"], fires.Select(f => Local(f, Berlin)));
    }

    [Fact]
    public async Task CronInTheRepeatedHour_FiresOnce()
    {
        var fires = await FiresAsync("30 2 * * *", "Europe/Berlin", At("2026-10-24T00:00Z"), At("2026-10-27T00:00Z"));

        // 02:30 happens twice on 10-25 (summer time, then winter time): it fires at the first.
        Assert.Equal(["10-24 02:30 +02:00", "10-25 02:30 +02:00", "10-26 02:30 +01:00"], fires.Select(f => Local(f, Berlin)));
    }

    [Fact]
    public async Task HourlyCron_FiresEveryHourThatHappens()
    {
        var spring = await FiresAsync("0 * * * *", "Europe/Berlin", At("2026-03-28T23:00Z"), At("2026-03-29T22:00Z"));
        var autumn = await FiresAsync("0 * * * *", "Europe/Berlin", At("2026-10-24T22:00Z"), At("2026-10-25T23:00Z"));

        // 03-29 has 23 hours and 10-25 has 25 in Berlin: one fire per real hour, none doubled, none lost.
        Assert.Equal(23, spring.Count);
        Assert.Equal(25, autumn.Count);
        Assert.All(spring.Zip(spring.Skip(1)), pair => Assert.Equal(TimeSpan.FromHours(1), pair.Second - pair.First));
        Assert.All(autumn.Zip(autumn.Skip(1)), pair => Assert.Equal(TimeSpan.FromHours(1), pair.Second - pair.First));
    }

    [Fact]
    public async Task WeekdayCron_InNewYork_FollowsLocalTimeAcrossBothChanges()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var march = await FiresAsync("0 9 * * 1-5", "America/New_York", At("2026-03-05T00:00Z"), At("2026-03-11T00:00Z"));
        var november = await FiresAsync("0 9 * * 1-5", "America/New_York", At("2026-10-29T00:00Z"), At("2026-11-04T00:00Z"));

        Assert.Equal(["03-05 09:00 -05:00", "03-06 09:00 -05:00", "03-09 09:00 -04:00", "03-10 09:00 -04:00"], march.Select(f => Local(f, newYork)));
        Assert.Equal(["10-29 09:00 -04:00", "10-30 09:00 -04:00", "11-02 09:00 -05:00", "11-03 09:00 -05:00"], november.Select(f => Local(f, newYork)));
    }

    [Fact]
    public async Task HourRangeOverTheRepeatedHour_FiresEachTimeOnce()
    {
        var fires = await FiresAsync("0 1-3 * * *", "Europe/Berlin", At("2026-10-24T22:00Z"), At("2026-10-25T12:00Z"));

        // 02:00 happens twice on 10-25; a fixed-time expression fires it once, at the first (as "0 2 * * *" does).
        Assert.Equal(["10-25 01:00 +02:00", "10-25 02:00 +02:00", "10-25 03:00 +01:00"], fires.Select(f => Local(f, Berlin)));
    }

    [Fact]
    public async Task HourRangeOverTheGap_FiresTheSkippedTimeAtTheJumpOnce()
    {
        var fires = await FiresAsync("0 1-3 * * *", "Europe/Berlin", At("2026-03-28T22:00Z"), At("2026-03-29T12:00Z"));

        // 02:00 does not exist on 03-29: it fires at the jump, 03:00, which is also 03:00's own fire: once.
        Assert.Equal(["03-29 01:00 +01:00", "03-29 03:00 +02:00"], fires.Select(f => Local(f, Berlin)));
    }

    [Fact]
    public async Task WildcardMinutes_FireEveryRealQuarterHourThroughBothChanges()
    {
        var autumn = await FiresAsync("*/15 * * * *", "Europe/Berlin", At("2026-10-24T23:00Z"), At("2026-10-25T03:00Z"));
        var spring = await FiresAsync("*/15 * * * *", "Europe/Berlin", At("2026-03-28T23:00Z"), At("2026-03-29T03:00Z"));

        Assert.Equal(16, autumn.Count);
        Assert.Equal(16, spring.Count);
        Assert.All(autumn.Zip(autumn.Skip(1)).Concat(spring.Zip(spring.Skip(1))), pair => Assert.Equal(TimeSpan.FromMinutes(15), pair.Second - pair.First));
    }

    [Fact]
    public async Task WildcardMinutesInTheGapHour_DoNotFireThatDay()
    {
        var fires = await FiresAsync("*/30 2 * * *", "Europe/Berlin", At("2026-03-28T00:00Z"), At("2026-03-30T12:00Z"));

        Assert.Equal(["03-28 02:00 +01:00", "03-28 02:30 +01:00", "03-30 02:00 +02:00", "03-30 02:30 +02:00"], fires.Select(f => Local(f, Berlin)));
    }
}
