using System.Globalization;
using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>Periods: calendar units keep the wall-clock time across DST and clamp at month ends; elapsed units do not care.</summary>
public sealed class PeriodTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static Task<List<string>> FiresAsync(string period, string zone, DateTimeOffset start, int count) =>
        FiresAsync(Schedules.Period(period, zone, start), start.AddDays(-1), count);

    // What the service fires: the trigger it stores at storedAt, moved on after each fire (FireDriver).
    private static async Task<List<string>> FiresAsync(ScheduleDefinition schedule, DateTimeOffset storedAt, int count)
    {
        var driver = new FireDriver(schedule, storedAt);
        while (driver.Fired.Count < count && driver.NextAt is { } next)
        {
            await driver.RunUntilAsync(next);
        }

        return driver.Fired.Select(t => TimeZoneInfo.ConvertTime(t, schedule.TimeZone).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)).ToList();
    }

    [Fact]
    public async Task OneDay_AcrossSpringForward_KeepsTheWallClockTime()
    {
        var fires = await FiresAsync("1d", "Europe/Berlin", new DateTimeOffset(2026, 3, 27, 7, 30, 0, TimeSpan.FromHours(1)), 4);

        Assert.Equal(["2026-03-27 07:30 +01:00", "2026-03-28 07:30 +01:00", "2026-03-29 07:30 +02:00", "2026-03-30 07:30 +02:00"], fires);
    }

    [Fact]
    public async Task OneDay_AcrossFallBack_KeepsTheWallClockTime()
    {
        var fires = await FiresAsync("1d", "Europe/Berlin", new DateTimeOffset(2026, 10, 24, 7, 30, 0, TimeSpan.FromHours(2)), 3);

        // 10-25 lasts 25 hours; the period is a calendar day, not 86,400 s.
        Assert.Equal(["2026-10-24 07:30 +02:00", "2026-10-25 07:30 +01:00", "2026-10-26 07:30 +01:00"], fires);
    }

    [Fact]
    public async Task OneDay_AnchoredInTheSkippedHour_MovesByTheGapThatDayOnly()
    {
        var fires = await FiresAsync("1d", "Europe/Berlin", new DateTimeOffset(2026, 3, 28, 2, 30, 0, TimeSpan.FromHours(1)), 3);

        Assert.Equal(["2026-03-28 02:30 +01:00", "2026-03-29 03:30 +02:00", "2026-03-30 02:30 +02:00"], fires);
    }

    [Fact]
    public async Task OneHour_AcrossSpringForward_IsElapsedTime()
    {
        var fires = await FiresAsync("1h", "Europe/Berlin", new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.FromHours(1)), 4);

        Assert.Equal(["2026-03-29 00:30 +01:00", "2026-03-29 01:30 +01:00", "2026-03-29 03:30 +02:00", "2026-03-29 04:30 +02:00"], fires);
    }

    [Fact]
    public async Task OneMonth_FromTheLastDayOfJanuary_ClampsToShortMonthsAndReturns()
    {
        var fires = await FiresAsync("1mo", "UTC", new DateTimeOffset(2026, 1, 31, 9, 0, 0, TimeSpan.Zero), 5);

        Assert.Equal(["2026-01-31 09:00 +00:00", "2026-02-28 09:00 +00:00", "2026-03-31 09:00 +00:00", "2026-04-30 09:00 +00:00", "2026-05-31 09:00 +00:00"], fires);
    }

    [Fact]
    public async Task OneMonth_InBerlin_KeepsTheWallClockAcrossDst()
    {
        var fires = await FiresAsync("1mo", "Europe/Berlin", new DateTimeOffset(2026, 2, 15, 8, 0, 0, TimeSpan.FromHours(1)), 3);

        Assert.Equal(["2026-02-15 08:00 +01:00", "2026-03-15 08:00 +01:00", "2026-04-15 08:00 +02:00"], fires);
    }

    [Fact]
    public async Task TwoWeeks_StepsFourteenCalendarDays()
    {
        var fires = await FiresAsync("2w", "Europe/Berlin", new DateTimeOffset(2026, 3, 20, 18, 0, 0, TimeSpan.FromHours(1)), 3);

        Assert.Equal(["2026-03-20 18:00 +01:00", "2026-04-03 18:00 +02:00", "2026-04-17 18:00 +02:00"], fires);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    public async Task ElapsedPeriod_WithoutStart_FirstFiresOnePeriodAfterItIsStored(string period, int seconds)
    {
        var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var driver = new FireDriver(Schedules.Period(period), now);

        await driver.RunUntilAsync(now.AddSeconds(2 * seconds));

        Assert.Equal([now.AddSeconds(seconds), now.AddSeconds(2 * seconds)], driver.Fired);
    }

    [Theory]
    [InlineData("1d", "2026-03-28 22:15 +01:00", "2026-03-29 22:15 +02:00")]
    [InlineData("1w", "2026-03-28 22:15 +01:00", "2026-04-04 22:15 +02:00")]
    [InlineData("1mo", "2026-03-28 22:15 +01:00", "2026-04-28 22:15 +02:00")]
    [InlineData("2d", "2026-03-28 22:15 +01:00", "2026-03-30 22:15 +02:00")]
    public async Task CalendarPeriod_WithoutStart_StoredAtAFractionOfASecond_FirstFiresOnePeriodLater(string period, string stored, string first)
    {
        var storedAt = DateTimeOffset.Parse(stored, CultureInfo.InvariantCulture).AddMilliseconds(437);

        var fires = await FiresAsync(Schedules.Period(period, "Europe/Berlin"), storedAt, 1);

        Assert.Equal([first], fires);
    }

    [Fact]
    public async Task OneMonth_WithoutStart_StoredOnThe31st_ClampsEachMonthAndReturnsToThe31st()
    {
        var storedAt = new DateTimeOffset(2026, 1, 31, 9, 0, 0, 250, TimeSpan.Zero);

        var fires = await FiresAsync(Schedules.Period("1mo"), storedAt, 6);

        Assert.Equal(["2026-02-28 09:00 +00:00", "2026-03-31 09:00 +00:00", "2026-04-30 09:00 +00:00", "2026-05-31 09:00 +00:00", "2026-06-30 09:00 +00:00", "2026-07-31 09:00 +00:00"], fires);
    }

    [Fact]
    public async Task OneDay_WithoutStart_StoredAtATimeTheGapSkips_MovesThatDayOnly()
    {
        var storedAt = new DateTimeOffset(2026, 3, 27, 2, 30, 0, 800, TimeSpan.FromHours(1));

        var fires = await FiresAsync(Schedules.Period("1d", "Europe/Berlin"), storedAt, 4);

        Assert.Equal(["2026-03-28 02:30 +01:00", "2026-03-29 03:30 +02:00", "2026-03-30 02:30 +02:00", "2026-03-31 02:30 +02:00"], fires);
    }

    [Fact]
    public async Task OneDay_WithoutStart_StoredInTheRepeatedHour_FiresAtItsFirstOccurrenceAfterwards()
    {
        // 02:30 +01:00 on 10-25 is the second 02:30; the next days have one 02:30 each.
        var storedAt = new DateTimeOffset(2026, 10, 24, 2, 30, 0, TimeSpan.FromHours(2));

        var fires = await FiresAsync(Schedules.Period("1d", "Europe/Berlin"), storedAt, 2);

        Assert.Equal(["2026-10-25 02:30 +02:00", "2026-10-26 02:30 +01:00"], fires);
    }

    [Fact]
    public async Task StartInThePast_FiresAtTheNextStepAfterNow()
    {
        var start = new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.FromHours(1));
        var now = new DateTimeOffset(2026, 7, 10, 12, 0, 0, TimeSpan.Zero);

        var fires = await FiresAsync(Schedules.Period("1d", "Europe/Berlin", start), now, 1);

        Assert.Equal(["2026-07-11 03:00 +02:00"], fires);
    }
}
