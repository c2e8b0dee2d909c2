using Pipeline.Consumers.Discovery;

[assembly: Pipeline.App("sched")]

namespace Pipeline.Scheduler.Tests;

/// <summary>Functions with and without schedules; tests discover only the types they need.</summary>
public static class Reports
{
    [Function, Schedule(Cron = "0 3 * * *", TimeZone = "Europe/Berlin")]
    public static string NightlyReport() => "done";

    [Function]
    public static string Weekly(string title, int pages = 1) => $"{title}:{pages}";

    [Function]
    public static string Cleanup(int days = 7) => $"{days}";
}

public static class Hourly
{
    [Function, Schedule(Name = "hourly-ping", Period = "1h", Misfire = ScheduleMisfire.RunOnce, MisfireWindow = "00:30:00", Overlap = ScheduleOverlap.Skip)]
    public static void Ping()
    {
    }
}

public static class BadAttributes
{
    [Function, Schedule(Cron = "0 25 * * *")]
    public static void BadCron()
    {
    }

    [Function, Schedule(Period = "1d", TimeZone = "Mars/Olympus")]
    public static void BadZone()
    {
    }

    [Function, Schedule]
    public static void NoTiming()
    {
    }

    [Function, Schedule(Cron = "0 1 * * *")]
    public static void NeedsArguments(string title) => _ = title;
}

[Cls]
public sealed class Model
{
    [Parameter] public string Name { get; init; } = "m";

    [Method, Schedule(Cron = "0 * * * *")]
    public void Refresh()
    {
    }
}

internal static class Apps
{
    public static AppRegistry Registry(params Type[] types) => AppDiscovery.Discover(types);
}
