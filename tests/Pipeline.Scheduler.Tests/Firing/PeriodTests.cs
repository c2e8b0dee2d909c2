using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Scheduler.Firing;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>Periods: calendar units keep the wall-clock time across DST and clamp at month ends; elapsed units do not care.</summary>
public sealed class PeriodTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static List<string> Fires(string period, string zone, DateTimeOffset start, int count)
    {
        var trigger = ScheduleTriggers.Trigger(Schedules.Period(period, zone, start), new FakeTimeProvider(start.AddDays(-1)));
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        return ScheduleTriggers.FireTimes(trigger, start.AddTicks(-1), count)
            .Select(t => TimeZoneInfo.ConvertTime(t, tz).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)).ToList();
    }

    [Fact]
    public void OneDay_AcrossSpringForward_KeepsTheWallClockTime()
    {
        var fires = Fires("1d", "Europe/Berlin", new DateTimeOffset(2026, 3, 27, 7, 30, 0, TimeSpan.FromHours(1)), 4);

        Assert.Equal(["2026-03-27 07:30 +01:00", "2026-03-28 07:30 +01:00", "2026-03-29 07:30 +02:00", "2026-03-30 07:30 +02:00"], fires);
    }

    [Fact]
    public void OneDay_AcrossFallBack_KeepsTheWallClockTime()
    {
        var fires = Fires("1d", "Europe/Berlin", new DateTimeOffset(2026, 10, 24, 7, 30, 0, TimeSpan.FromHours(2)), 3);

        // 10-25 lasts 25 hours; the period is a calendar day, not 86,400 s.
        Assert.Equal(["2026-10-24 07:30 +02:00", "2026-10-25 07:30 +01:00", "2026-10-26 07:30 +01:00"], fires);
    }

    [Fact]
    public void OneDay_AnchoredInTheSkippedHour_MovesByTheGapThatDayOnly()
    {
        var fires = Fires("1d", "Europe/Berlin", new DateTimeOffset(2026, 3, 28, 2, 30, 0, TimeSpan.FromHours(1)), 3);

        Assert.Equal(["2026-03-28 02:30 +01:00", "2026-03-29 03:30 +02:00", "2026-03-30 02:30 +02:00"], fires);
    }

    [Fact]
    public void OneHour_AcrossSpringForward_IsElapsedTime()
    {
        var fires = Fires("1h", "Europe/Berlin", new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.FromHours(1)), 4);

        Assert.Equal(["2026-03-29 00:30 +01:00", "2026-03-29 01:30 +01:00", "2026-03-29 03:30 +02:00", "2026-03-29 04:30 +02:00"], fires);
    }

    [Fact]
    public void OneMonth_FromTheLastDayOfJanuary_ClampsToShortMonthsAndReturns()
    {
        var fires = Fires("1mo", "UTC", new DateTimeOffset(2026, 1, 31, 9, 0, 0, TimeSpan.Zero), 5);

        Assert.Equal(["2026-01-31 09:00 +00:00", "2026-02-28 09:00 +00:00", "2026-03-31 09:00 +00:00", "2026-04-30 09:00 +00:00", "2026-05-31 09:00 +00:00"], fires);
    }

    [Fact]
    public void OneMonth_InBerlin_KeepsTheWallClockAcrossDst()
    {
        var fires = Fires("1mo", "Europe/Berlin", new DateTimeOffset(2026, 2, 15, 8, 0, 0, TimeSpan.FromHours(1)), 3);

        Assert.Equal(["2026-02-15 08:00 +01:00", "2026-03-15 08:00 +01:00", "2026-04-15 08:00 +02:00"], fires);
    }

    [Fact]
    public void TwoWeeks_StepsFourteenCalendarDays()
    {
        var fires = Fires("2w", "Europe/Berlin", new DateTimeOffset(2026, 3, 20, 18, 0, 0, TimeSpan.FromHours(1)), 3);

        Assert.Equal(["2026-03-20 18:00 +01:00", "2026-04-03 18:00 +02:00", "2026-04-17 18:00 +02:00"], fires);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    public void ElapsedPeriod_WithoutStart_FirstFiresOnePeriodAfterItIsStored(string period, int seconds)
    {
        var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var trigger = ScheduleTriggers.Trigger(Schedules.Period(period), new FakeTimeProvider(now));

        var fires = ScheduleTriggers.FireTimes(trigger, now, 2);

        Assert.Equal([now.AddSeconds(seconds), now.AddSeconds(2 * seconds)], fires);
    }

    [Fact]
    public void OneDay_WithoutStart_FirstFiresTheNextDayAtTheSameLocalTime()
    {
        var now = new DateTimeOffset(2026, 3, 28, 21, 15, 0, TimeSpan.Zero);
        var trigger = ScheduleTriggers.Trigger(Schedules.Period("1d", "Europe/Berlin"), new FakeTimeProvider(now));

        var first = Assert.Single(ScheduleTriggers.FireTimes(trigger, now, 1));

        // 22:15 in Berlin on 03-28 (+01:00); the next day is 22:15 again, now at +02:00.
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 22, 15, 0, TimeSpan.FromHours(2)), first);
    }

    [Fact]
    public void StartInThePast_FiresAtTheNextStepAfterNow()
    {
        var start = new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.FromHours(1));
        var now = new DateTimeOffset(2026, 7, 10, 12, 0, 0, TimeSpan.Zero);
        var trigger = ScheduleTriggers.Trigger(Schedules.Period("1d", "Europe/Berlin", start), new FakeTimeProvider(now));

        Assert.Equal(new DateTimeOffset(2026, 7, 11, 3, 0, 0, TimeSpan.FromHours(2)), ScheduleTriggers.FireTimes(trigger, now, 1).Single());
    }
}
