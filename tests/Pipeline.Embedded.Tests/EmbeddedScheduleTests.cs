namespace Pipeline.Embedded.Tests;

/// <summary>The apps' [Schedule]s in embedded mode: Quartz's in-memory store, fires through the embedded client.</summary>
public sealed class EmbeddedScheduleTests
{
    [Fact]
    public async Task Schedules_FromAttributes_AreListedWithTheirNextFireTimes()
    {
        await using var pipeline = await EmbeddedPipeline.StartAsync([typeof(Scheduled).Assembly]);

        var schedule = Assert.Single(pipeline.Schedules.Schedules);
        var next = await pipeline.Schedules.NextFireTimesAsync("new-year", 2);

        Assert.Equal(("new-year", "embedded.new-year", "cron", "0 0 1 1 *", "Europe/Berlin"), (schedule.Name, schedule.Target, schedule.Kind, schedule.Expression, schedule.TimeZone));
        Assert.Equal(2, next.Count);
        Assert.All(next, t => Assert.Equal((1, 1, 0), (TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Month, TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Day, TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Hour)));
        Assert.Equal(TimeSpan.FromDays(next[1].Year % 4 == 1 ? 366 : 365), next[1] - next[0]);
    }

    [Fact]
    public async Task TriggerAsync_RunsTheFunctionNow()
    {
        await using var pipeline = await EmbeddedPipeline.StartAsync([typeof(Scheduled).Assembly]);
        var before = Events.Of("schedules").Count;

        var key = await pipeline.Schedules.TriggerAsync("NewYear");

        Assert.StartsWith("new-year:manual-", key, StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (Events.Of("schedules").Count == before)
        {
            Assert.True(DateTime.UtcNow < deadline, "The triggered schedule ran its function within 30 s.");
            await timer.WaitForNextTickAsync();
        }
    }

    [Fact]
    public async Task Schedules_SwitchedOff_NoneAreDefined()
    {
        await using var pipeline = await EmbeddedPipeline.StartAsync([typeof(Scheduled).Assembly], options => options.Schedules = false);

        Assert.Empty(pipeline.Schedules.Schedules);
    }
}
