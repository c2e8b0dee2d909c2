namespace Pipeline.Embedded.Tests;

/// <summary>A scheduled function that never comes due during a test run: tests fire it by hand.</summary>
[App("embedded")]
public static class Scheduled
{
    [Function, Schedule(Name = "new-year", Cron = "0 0 1 1 *", TimeZone = "Europe/Berlin")]
    public static void NewYear() => Events.Add("schedules", "new-year");
}
