using System.Text.Json;
using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Tests;

/// <summary>Schedules built directly, for the firing tests.</summary>
internal static class Schedules
{
    public static ScheduleDefinition Cron(string cron, string zone = "UTC", string name = "s", ScheduleMisfire misfire = ScheduleMisfire.Skip, TimeSpan? window = null, ScheduleOverlap overlap = ScheduleOverlap.Allow)
    {
        Assert.Null(CronText.TryParse(cron, out var timing));
        return Make(timing!, zone, name, misfire, window, overlap);
    }

    public static ScheduleDefinition Period(string period, string zone = "UTC", DateTimeOffset? start = null, string name = "s", ScheduleMisfire misfire = ScheduleMisfire.Skip, TimeSpan? window = null, ScheduleOverlap overlap = ScheduleOverlap.Allow)
    {
        Assert.Null(PeriodText.TryParse(period, out var count, out var unit));
        return Make(new PeriodTiming(period, count, unit, start), zone, name, misfire, window, overlap);
    }

    private static ScheduleDefinition Make(ScheduleTiming timing, string zone, string name, ScheduleMisfire misfire, TimeSpan? window, ScheduleOverlap overlap) => new()
    {
        Name = name,
        App = "sched",
        Function = "cleanup",
        Timing = timing,
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(zone),
        Args = JsonSerializer.SerializeToElement(Array.Empty<object>()),
        Misfire = misfire,
        MisfireWindow = window ?? TimeSpan.FromHours(1),
        Overlap = overlap,
        Source = "test",
    };
}
