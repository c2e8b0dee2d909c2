using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Quartz;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>
/// The decisions of a fire, with a fake clock and a fake dispatcher: the occurrence and its key, late fires under each
/// misfire policy, overlap, duplicates and operator fires. Quartz's part (when it calls) is played by the test: an
/// on-time fire is called at the occurrence; after downtime Quartz calls once "now", which is what a misfire looks like.
/// </summary>
public sealed class ScheduleFirerTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Three = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Three.AddDays(-1));
    private readonly FakeDispatcher _dispatcher = new();

    private ScheduleFirer Firer(ScheduleDefinition schedule) =>
        new(new ScheduleSet([schedule]), _dispatcher, _clock, Threshold, NullLogger<ScheduleFirer>.Instance);

    // due: the occurrence the schedule's trigger was set for (the fire itself comes at the clock's now).
    private static FireRequest Request(ScheduleDefinition schedule, DateTimeOffset due, FireState? state = null, DateTimeOffset? manualAt = null) =>
        new(schedule.Name, due, Three.AddDays(-30), state ?? new FireState(null, null), manualAt);

    [Fact]
    public async Task FireAsync_OnTime_SpawnsWithTheOccurrenceKey()
    {
        var schedule = Schedules.Cron("0 3 * * *", name: "nightly-report");
        _clock.SetUtcNow(Three.AddMilliseconds(40));

        var result = await Firer(schedule).FireAsync(Request(schedule, Three), CancellationToken.None);

        Assert.Equal(FireOutcome.Fired, result.Outcome);
        Assert.Equal(("nightly-report", "nightly-report:2026-11-22T03:00:00Z", "fc-1"), Assert.Single(_dispatcher.Spawned));
        Assert.Equal(new FireState(Three, "fc-1"), result.State);
    }

    [Fact]
    public async Task FireAsync_CronInAZone_KeyIsTheOccurrenceInUtc()
    {
        var schedule = Schedules.Cron("0 3 * * *", "Europe/Berlin", name: "berlin");
        var occurrence = new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.FromHours(1));
        _clock.SetUtcNow(occurrence);

        var result = await Firer(schedule).FireAsync(Request(schedule, occurrence), CancellationToken.None);

        Assert.Equal("berlin:2026-11-22T02:00:00Z", result.IdempotencyKey);
    }

    [Fact]
    public async Task FireAsync_LateWithinTheThreshold_RunsAsOnTime()
    {
        var schedule = Schedules.Cron("0 3 * * *");
        _clock.SetUtcNow(Three.AddSeconds(59));

        var result = await Firer(schedule).FireAsync(Request(schedule, Three), CancellationToken.None);

        Assert.Equal(FireOutcome.Fired, result.Outcome);
        Assert.Equal(Three, result.Occurrence);
    }

    [Fact]
    public async Task FireAsync_SeveralOccurrencesHandedOverLateWithinTheThreshold_EachRunsAsItself()
    {
        // A 10 s period whose fires for 03:00:00, :10 and :20 reach the scheduler at 03:00:25 (a busy store, say).
        var schedule = Schedules.Period("10s", start: Three);
        var firer = Firer(schedule);
        _clock.SetUtcNow(Three.AddSeconds(25));

        var state = new FireState(null, null);
        foreach (var due in new[] { Three, Three.AddSeconds(10), Three.AddSeconds(20) })
        {
            state = (await firer.FireAsync(Request(schedule, due, state), CancellationToken.None)).State;
        }

        Assert.Equal(["s:2026-11-22T03:00:00Z", "s:2026-11-22T03:00:10Z", "s:2026-11-22T03:00:20Z"], _dispatcher.Spawned.Select(s => s.Key));
    }

    [Fact]
    public async Task FireAsync_AfterDowntime_SkipPolicy_DoesNotRunAndRemembersTheOccurrence()
    {
        var schedule = Schedules.Cron("0 3 * * *", misfire: ScheduleMisfire.Skip);
        var now = Three.AddMinutes(20);
        _clock.SetUtcNow(now);

        var result = await Firer(schedule).FireAsync(Request(schedule, Three, new FireState(Three.AddDays(-1), "fc-0")), CancellationToken.None);

        Assert.Equal(FireOutcome.Missed, result.Outcome);
        Assert.Equal(Three, result.Occurrence);
        Assert.Empty(_dispatcher.Spawned);
        Assert.Equal(new FireState(Three, "fc-0"), result.State);
    }

    [Fact]
    public async Task FireAsync_AfterDowntime_RunOncePolicy_RunsTheLatestMissedOccurrenceOnce()
    {
        // Every 10 minutes; the scheduler was down from 02:55 to 03:47: 03:00 ... 03:40 were missed.
        var schedule = Schedules.Cron("*/10 * * * *", misfire: ScheduleMisfire.RunOnce, window: TimeSpan.FromHours(1));
        var now = Three.AddMinutes(47);
        _clock.SetUtcNow(now);
        var firer = Firer(schedule);

        var first = await firer.FireAsync(Request(schedule, Three, new FireState(Three.AddMinutes(-10), "fc-0")), CancellationToken.None);
        // A second trigger (or node) handing over the same misfire is a duplicate.
        var again = await firer.FireAsync(Request(schedule, Three, first.State), CancellationToken.None);

        Assert.Equal(FireOutcome.Fired, first.Outcome);
        Assert.Equal("s:2026-11-22T03:40:00Z", first.IdempotencyKey);
        Assert.Equal(FireOutcome.Duplicate, again.Outcome);
        Assert.Single(_dispatcher.Spawned);
    }

    [Fact]
    public async Task FireAsync_AfterDowntime_RunOncePolicy_OlderThanTheWindow_DoesNotRun()
    {
        var schedule = Schedules.Cron("0 3 * * *", misfire: ScheduleMisfire.RunOnce, window: TimeSpan.FromMinutes(30));
        var now = Three.AddMinutes(31);
        _clock.SetUtcNow(now);

        var result = await Firer(schedule).FireAsync(Request(schedule, Three), CancellationToken.None);

        Assert.Equal(FireOutcome.Missed, result.Outcome);
        Assert.Equal(TimeSpan.FromMinutes(31), now - result.Occurrence);
        Assert.Empty(_dispatcher.Spawned);
    }

    [Fact]
    public async Task FireAsync_AfterDowntime_RunOncePolicy_WithinTheWindow_Runs()
    {
        var schedule = Schedules.Cron("0 3 * * *", misfire: ScheduleMisfire.RunOnce, window: TimeSpan.FromMinutes(30));
        var now = Three.AddMinutes(29);
        _clock.SetUtcNow(now);

        var result = await Firer(schedule).FireAsync(Request(schedule, Three), CancellationToken.None);

        Assert.Equal(FireOutcome.Fired, result.Outcome);
        Assert.Equal("s:2026-11-22T03:00:00Z", result.IdempotencyKey);
    }

    [Fact]
    public async Task FireAsync_SameOccurrenceTwice_RunsOnce()
    {
        var schedule = Schedules.Cron("0 3 * * *");
        _clock.SetUtcNow(Three.AddSeconds(1));
        var firer = Firer(schedule);

        var first = await firer.FireAsync(Request(schedule, Three), CancellationToken.None);
        var second = await firer.FireAsync(Request(schedule, Three, first.State), CancellationToken.None);

        Assert.Equal(FireOutcome.Duplicate, second.Outcome);
        Assert.Single(_dispatcher.Spawned);
    }

    [Fact]
    public async Task FireAsync_OverlapSkip_PreviousStillRunning_SkipsAndThenFiresOnceItFinished()
    {
        var schedule = Schedules.Period("1h", overlap: ScheduleOverlap.Skip, start: Three);
        var firer = Firer(schedule);
        _clock.SetUtcNow(Three);
        var first = await firer.FireAsync(Request(schedule, Three), CancellationToken.None);

        _clock.SetUtcNow(Three.AddHours(1));
        var second = await firer.FireAsync(Request(schedule, Three.AddHours(1), first.State), CancellationToken.None);
        _dispatcher.Finish(first.CallId!);
        _clock.SetUtcNow(Three.AddHours(2));
        var third = await firer.FireAsync(Request(schedule, Three.AddHours(2), second.State), CancellationToken.None);

        Assert.Equal(FireOutcome.Overlapping, second.Outcome);
        Assert.Equal(first.CallId, second.State.LastCallId);
        Assert.Equal(FireOutcome.Fired, third.Outcome);
        Assert.Equal(["s:2026-11-22T03:00:00Z", "s:2026-11-22T05:00:00Z"], _dispatcher.Spawned.Select(s => s.Key));
    }

    [Fact]
    public async Task FireAsync_OverlapAllow_PreviousStillRunning_FiresAnyway()
    {
        var schedule = Schedules.Period("1h", overlap: ScheduleOverlap.Allow, start: Three);
        var firer = Firer(schedule);
        _clock.SetUtcNow(Three);
        var first = await firer.FireAsync(Request(schedule, Three), CancellationToken.None);

        _clock.SetUtcNow(Three.AddHours(1));
        var second = await firer.FireAsync(Request(schedule, Three.AddHours(1), first.State), CancellationToken.None);

        Assert.Equal(FireOutcome.Fired, second.Outcome);
        Assert.Equal(2, _dispatcher.Spawned.Count);
    }

    [Fact]
    public async Task FireAsync_Manual_UsesTheManualKeyIgnoresOverlapAndKeepsTheOccurrence()
    {
        var schedule = Schedules.Cron("0 3 * * *", overlap: ScheduleOverlap.Skip);
        var state = new FireState(Three, "fc-running");
        var at = Three.AddMinutes(5).AddMilliseconds(250);
        _clock.SetUtcNow(at);

        var result = await Firer(schedule).FireAsync(Request(schedule, at, state, manualAt: at), CancellationToken.None);

        Assert.Equal(FireOutcome.Fired, result.Outcome);
        Assert.Equal("s:manual-2026-11-22T03:05:00Z", result.IdempotencyKey);
        Assert.Equal(Three, result.State.LastOccurrence);
        Assert.Equal(result.CallId, result.State.LastCallId);
    }

    [Fact]
    public async Task FireAsync_SpawnFails_TriesTheSameOccurrenceAgainSoonWithTheSameKey()
    {
        var schedule = Schedules.Cron("0 3 * * *");
        var firer = Firer(schedule);
        _clock.SetUtcNow(Three);
        _dispatcher.FailWith = new InvalidOperationException("broker down");

        var failed = await firer.FireAsync(Request(schedule, Three), CancellationToken.None);
        _dispatcher.FailWith = null;
        _clock.SetUtcNow(failed.NextAt!.Value);
        var retried = await firer.FireAsync(Request(schedule, failed.NextDue!.Value, failed.State), CancellationToken.None);

        Assert.Equal((FireOutcome.Failed, Three, Three + ScheduleFirer.RetryDelay), (failed.Outcome, failed.NextDue!.Value, failed.NextAt!.Value));
        Assert.Null(failed.State.LastOccurrence);
        Assert.Equal(FireOutcome.Fired, retried.Outcome);
        Assert.Equal("s:2026-11-22T03:00:00Z", Assert.Single(_dispatcher.Spawned).Key);
    }

    [Fact]
    public async Task FireAsync_ScheduleNotDefinedHere_DoesNothing()
    {
        var firer = Firer(Schedules.Cron("0 3 * * *", name: "mine"));
        var other = Schedules.Cron("0 3 * * *", name: "theirs");
        _clock.SetUtcNow(Three);

        var result = await firer.FireAsync(Request(other, Three), CancellationToken.None);

        Assert.Equal(FireOutcome.Unknown, result.Outcome);
        Assert.Empty(_dispatcher.Spawned);
    }

    [Fact]
    public void FireState_RoundTripsThroughJobData()
    {
        var data = new JobDataMap();
        new FireState(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.FromHours(1)), "fc-9").Write(data);

        Assert.Equal(new FireState(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero), "fc-9"), FireState.Read(data));
        Assert.All(data.Values, v => Assert.IsType<string>(v));
    }
}
