using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Pipeline.Scheduler.Hosting;
using Pipeline.Scheduler.Tests.Firing;
using Pipeline.Scheduler.Tests.Store;

namespace Pipeline.Scheduler.Tests.Hosting;

/// <summary>
/// The embedded mode's path: Quartz's in-memory store with the one-shot trigger that the job moves on after each fire
/// (the clustered store's path is in <see cref="ClusteredStoreTests"/>). A one-second period keeps it short; the test
/// waits for a number of fires, never for a time.
/// </summary>
public sealed class InMemoryFiringTests
{
    [Fact]
    public async Task OneSecondPeriod_InMemoryStore_FiresEachOccurrenceOnceAndKeepsItsTrigger()
    {
        var dispatcher = new FakeDispatcher();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IScheduleDispatcher>(dispatcher);
        services.AddScheduleRuntime(new SchedulerOptions { InMemory = true, ClusterName = "in-memory-test", PollInterval = TimeSpan.FromSeconds(1) }, new ScheduleSet([Schedules.Period("1s", name: "tick")]));
        await using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<ScheduleRuntime>();

        await runtime.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => dispatcher.Spawned.Count >= 4, TimeSpan.FromSeconds(40), "four fires of a one-second period");
        await runtime.StopAsync(CancellationToken.None);

        var occurrences = dispatcher.Spawned.Select(s => DateTimeOffset.Parse(s.Key["tick:".Length..], CultureInfo.InvariantCulture)).ToList();
        Assert.All(occurrences.Zip(occurrences.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
    }
}
