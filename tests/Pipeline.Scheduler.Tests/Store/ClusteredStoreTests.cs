using System.Globalization;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Pipeline.Scheduler.Tests.Firing;
using Quartz;

namespace Pipeline.Scheduler.Tests.Store;

/// <summary>
/// Scheduler instances sharing Quartz's clustered store on the real PostgreSQL, each with its own services as separate
/// processes have. One-second periods keep the runs short; each test waits for a number of fires, never for a time.
/// </summary>
public sealed class ClusteredStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static DateTimeOffset Occurrence(string key) =>
        DateTimeOffset.Parse(key[(key.IndexOf(':', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [Fact]
    public async Task Start_EmptyDatabase_CreatesSchemaTablesAndTheSchedule()
    {
        var node = _store.Instance("a", new FakeDispatcher(), Schedules.Cron("0 3 * * *", "Europe/Berlin", name: "nightly"));

        await node.StartAsync();

        Assert.Equal(1, await _store.ScalarAsync("select count(*) from information_schema.schemata where schema_name = '$schema'"));
        Assert.True(await _store.ScalarAsync("select count(*) from information_schema.tables where table_schema = '$schema' and table_name like 'qrtz%'") >= 11);
        Assert.Equal(1, await _store.ScalarAsync("select count(*) from \"$schema\".qrtz_triggers where trigger_name = 'nightly'"));
        var next = await node.Book.NextFireTimesAsync("nightly", 5);
        Assert.Equal(5, next.Count);
        Assert.All(next, t => Assert.Equal(3, TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Hour));
    }

    [Fact]
    public async Task ThreeInstances_SharingTheStore_FireEachOccurrenceOnce()
    {
        // A fire late because the machine is busy must still run, or the Skip policy leaves a gap this test would blame
        // on the fail-over; the misfire tests below cover the threshold itself.
        _store.MisfireThreshold = TimeSpan.FromSeconds(30);
        var dispatcher = new FakeDispatcher();
        var schedule = Schedules.Period("1s", name: "tick");
        var nodes = new[] { "a", "b", "c" }.Select(n => _store.Instance(n, dispatcher, schedule)).ToList();

        await Task.WhenAll(nodes.Select(n => n.StartAsync()));
        await Eventually.TrueAsync(() => dispatcher.Spawned.Count >= 3, Patience, "three fires");
        // One instance leaves; the others go on firing.
        await nodes[0].DisposeAsync();
        var before = dispatcher.Spawned.Count;
        await Eventually.TrueAsync(() => dispatcher.Spawned.Count >= before + 3, Patience, "three more fires after one instance stopped");
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        var keys = dispatcher.Spawned.Select(s => s.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        var occurrences = keys.Select(Occurrence).Order().ToList();
        Assert.All(occurrences.Zip(occurrences.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
    }

    [Fact]
    public async Task Restart_SameTiming_KeepsTheStoredTriggerAndItsAnchor()
    {
        var schedule = Schedules.Period("1h", name: "hourly");
        var first = _store.Instance("a", new FakeDispatcher(), schedule);
        await first.StartAsync();
        var anchor = (await first.Book.NextFireTimesAsync("hourly", 1))[0];
        await first.DisposeAsync();

        var second = _store.Instance("b", new FakeDispatcher(), schedule);
        await second.StartAsync();

        Assert.Equal(anchor, (await second.Book.NextFireTimesAsync("hourly", 1))[0]);
    }

    [Fact]
    public async Task Restart_ChangedTimingOrRemovedSchedule_UpdatesTheStore()
    {
        var first = _store.Instance("a", new FakeDispatcher(), Schedules.Cron("0 3 * * *", name: "nightly"), Schedules.Cron("0 4 * * *", name: "gone"));
        await first.StartAsync();
        await first.DisposeAsync();

        var second = _store.Instance("b", new FakeDispatcher(), Schedules.Cron("30 5 * * *", name: "nightly"));
        await second.StartAsync();

        var next = await second.Book.NextFireTimesAsync("nightly", 1);
        Assert.Equal((5, 30), (next[0].UtcDateTime.Hour, next[0].Minute));
        Assert.Equal(0, await _store.ScalarAsync("select count(*) from \"$schema\".qrtz_job_details where job_name = 'gone'"));
    }

    [Fact]
    public async Task Trigger_FromAnInstanceThatIsNotRunning_IsFiredByTheRunningOne()
    {
        var dispatcher = new FakeDispatcher();
        var schedule = Schedules.Cron("0 3 1 1 *", name: "yearly");
        var running = _store.Instance("service", dispatcher, schedule);
        await running.StartAsync();
        var operatorTool = _store.Instance("cli", new FakeDispatcher(), schedule);

        var key = await operatorTool.Book.TriggerAsync("yearly");

        await Eventually.TrueAsync(() => dispatcher.Spawned.Count == 1, Patience, "the running instance fired the manual trigger");
        Assert.StartsWith("yearly:manual-", key, StringComparison.Ordinal);
        Assert.Equal(key, dispatcher.Spawned[0].Key);
    }

    [Fact]
    public async Task Trigger_ScheduleNeverStored_SaysToStartTheService()
    {
        var tool = _store.Instance("cli", new FakeDispatcher(), Schedules.Cron("0 3 * * *", name: "nightly"));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => tool.Book.TriggerAsync("nightly"));

        Assert.Contains("is not in the schedule store yet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Downtime_OverAnOccurrence_RunsItOnlyWhereTheMisfirePolicySays()
    {
        // Two hourly periods whose next occurrence is in 10 s (time for a slow start on a loaded machine: a Start that
        // has passed when the schedule is first stored is not a missed occurrence); every scheduler is down when it comes due.
        var due = DateTimeOffset.UtcNow.AddSeconds(10);
        var dispatcher = new FakeDispatcher();
        ScheduleDefinition[] schedules =
        [
            Schedules.Period("1h", start: due, name: "catch-up", misfire: ScheduleMisfire.RunOnce, window: TimeSpan.FromMinutes(5)),
            Schedules.Period("1h", start: due, name: "skip", misfire: ScheduleMisfire.Skip),
        ];
        var first = _store.Instance("a", dispatcher, schedules);
        await first.StartAsync();
        Assert.Equal(due, (await first.Book.NextFireTimesAsync("skip", 1, due.AddTicks(-1)))[0]);
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > due.AddSeconds(2.5), Patience, "the occurrence is missed by more than the 1 s misfire threshold");

        var second = _store.Instance("b", dispatcher, schedules);
        await second.StartAsync();
        var scheduler = await second.Runtime.SchedulerAsync(CancellationToken.None);
        DateTimeOffset? Handled(string name) =>
            FireState.Read(scheduler.GetJobDetail(new JobKey(name, "pipeline-schedules")).AsTask().Result!.JobDataMap).LastOccurrence;
        await Eventually.TrueAsync(() => Handled("catch-up") == due && Handled("skip") == due, Patience, "the restarted instance handled both missed occurrences");

        Assert.Equal(("catch-up", $"catch-up:{ScheduleFirer.Utc(due)}"), (dispatcher.Spawned.Single().Schedule, dispatcher.Spawned.Single().Key));
    }
}
