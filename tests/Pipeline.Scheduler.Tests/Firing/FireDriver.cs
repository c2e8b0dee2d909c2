using Microsoft.Extensions.Time.Testing;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>
/// Plays Quartz for one schedule on a fake clock, exactly as the service's job does: the trigger is the one
/// <see cref="ScheduleTriggers.First"/> stores, each fire goes through <see cref="ScheduleFirer"/>, and the trigger is
/// then set to the result's next occurrence. What the dispatcher records is what the service would have spawned.
/// </summary>
internal sealed class FireDriver
{
    private readonly ScheduleFirer _firer;
    private readonly string _name;
    private readonly DateTimeOffset _anchor;

    public FireDriver(ScheduleDefinition schedule, DateTimeOffset storedAt, TimeSpan? threshold = null)
    {
        Clock = new FakeTimeProvider(storedAt);
        _name = schedule.Name;
        _firer = new ScheduleFirer(new ScheduleSet([schedule]), Dispatcher, Clock, threshold ?? TimeSpan.FromSeconds(60), Logger);
        var trigger = ScheduleTriggers.First(schedule, Clock);
        Due = trigger is null ? null : ScheduleTriggers.Due(trigger);
        NextAt = trigger?.StartTimeUtc;
        _anchor = trigger is null ? storedAt : ScheduleTriggers.Anchor(trigger.JobDataMap)!.Value;
    }

    public FakeTimeProvider Clock { get; }

    public FakeDispatcher Dispatcher { get; } = new();

    public ListLogger<ScheduleFirer> Logger { get; } = new();

    public FireState State { get; private set; } = new(null, null);

    public DateTimeOffset? Due { get; private set; }

    public DateTimeOffset? NextAt { get; private set; }

    public List<FireResult> Results { get; } = [];

    /// <summary>The occurrences spawned so far, from their idempotency keys.</summary>
    public List<DateTimeOffset> Fired => Dispatcher.Spawned.Select(s => DateTimeOffset.Parse(s.Key[(s.Key.IndexOf(':', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>The occurrences logged as skipped (event 3002), from the log lines.</summary>
    public List<string> SkippedLines => Logger.Lines.Where(l => l.EventId == 3002).Select(l => l.Message).ToList();

    /// <summary>The scheduler is up all along: each fire comes when its trigger is due, up to <paramref name="until"/>.</summary>
    public async Task RunUntilAsync(DateTimeOffset until)
    {
        while (NextAt is { } at && at <= until)
        {
            if (at > Clock.GetUtcNow())
            {
                Clock.SetUtcNow(at);
            }

            await FireAsync();
        }
    }

    /// <summary>No scheduler ran until <paramref name="at"/>: Quartz fires the overdue trigger once then, and each follow-up due at once.</summary>
    public async Task ResumeAtAsync(DateTimeOffset at)
    {
        Clock.SetUtcNow(at);
        while (NextAt is { } next && next <= at)
        {
            await FireAsync();
        }
    }

    private async Task FireAsync()
    {
        var result = await _firer.FireAsync(new FireRequest(_name, Due!.Value, _anchor, State), CancellationToken.None);
        Results.Add(result);
        State = result.State;
        Due = result.NextDue;
        NextAt = result.NextAt;
    }
}
