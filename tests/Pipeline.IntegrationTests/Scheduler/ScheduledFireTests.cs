using System.Text.RegularExpressions;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Scheduler;

/// <summary>
/// The scheduler service as operators run it: real processes sharing the clustered store in PostgreSQL, firing
/// through RabbitMQ into a real worker host. A one-second period keeps the run short; the test waits for a number of
/// runs, never for a time.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed partial class ScheduledFireTests(Servers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly ScheduleStore _store = new(servers);
    private readonly string _tag = "tick-" + Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TwoSchedulers_OnePeriod_EachOccurrenceFiresOnceAndRunsOnceOnAWorker()
    {
        using var events = new EventLog();
        var settings = new Dictionary<string, string>
        {
            ["Pipeline__Scheduler__Schedules__tick__Function"] = "itest.echo",
            ["Pipeline__Scheduler__Schedules__tick__Args"] = $"[\"{_tag}\"]",
            ["Pipeline__Scheduler__Schedules__tick__Period"] = "1s",
        };

        // All three start at once: fires wait in the pool's durable queue until the worker consumes.
        await using var worker = WorkerProcess.Start(servers, events.Directory);
        await using var first = SchedulerProcess.Start(servers, _store.Schema, events.Directory, settings);
        await using var second = SchedulerProcess.Start(servers, _store.Schema, events.Directory, settings);

        await Eventually.TrueAsync(() => events.Count("echo", _tag) >= 10, Patience, $"ten scheduled runs of itest.echo on the worker. Scheduler output:{Environment.NewLine}{first.Output}{Environment.NewLine}{second.Output}");
        Assert.Contains("started", first.Output, StringComparison.Ordinal);
        Assert.Contains("started", second.Output, StringComparison.Ordinal);
        // Start-up names each schedule's target and its next fire.
        Assert.Matches(@"Schedule tick: itest\.echo on period ""1s"" in UTC \(misfire Skip, overlap Allow\); next fire \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first.Output);
        await first.StopAsync();
        await second.StopAsync();

        var keys = first.Lines.Concat(second.Lines).Select(line => FiredKey().Match(line)).Where(m => m.Success).Select(m => m.Groups["key"].Value).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, key => Assert.Matches(@"^tick:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", key));
        await Eventually.TrueAsync(() => events.Count("echo", _tag) == keys.Count, Patience, $"one run per fire: {keys.Count} fires, {events.Count("echo", _tag)} runs");
        Assert.All(events.Read().Where(e => e.Subject == _tag), e => Assert.Equal(worker.Pid, e.Pid));
    }

    public Task DisposeAsync() => _store.DropAsync();

    [GeneratedRegex(@"Fired tick \(itest\.echo\) for \S+ as call \S+, key (?<key>\S+);")]
    private static partial Regex FiredKey();
}
