using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Occurrences;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// Handles one fire: decides which occurrence runs and which are skipped (<see cref="MisfireRule"/>), applies the
/// overlap policy, spawns the call with the idempotency key <c>schedule:occurrence-UTC</c>, logs the fire with the
/// next one, and says when the schedule's trigger fires next. Quartz only wakes the job; everything a user relies on
/// about a fire is decided here, with the injected clock.
/// </summary>
internal sealed class ScheduleFirer(ScheduleSet schedules, IScheduleDispatcher dispatcher, TimeProvider time, TimeSpan misfireThreshold, ILogger<ScheduleFirer> logger)
{
    /// <summary>How soon a fire whose spawn failed is tried again (same occurrence, same key).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);

    /// <summary>How soon a fire this process cannot handle (a schedule it does not define) is handed back to the cluster.</summary>
    public static readonly TimeSpan HandBackDelay = TimeSpan.FromSeconds(5);

    public async Task<FireResult> FireAsync(FireRequest request, CancellationToken cancellationToken)
    {
        var schedule = schedules.Find(request.Schedule);
        var now = time.GetUtcNow();
        if (schedule is null)
        {
            Log.UnknownSchedule(logger, request.Schedule);
            return new FireResult(FireOutcome.Unknown, null, null, null, request.State, request.Due, now + HandBackDelay);
        }

        var clock = ScheduleClock.For(schedule, request.Anchor);
        if (request.ManualAt is { } manualAt)
        {
            return await ManualAsync(schedule, request, manualAt, cancellationToken).ConfigureAwait(false);
        }

        var decision = MisfireRule.Decide(schedule, clock, request.Due, now, request.State.LastOccurrence, misfireThreshold);
        foreach (var skipped in decision.Skipped)
        {
            Log.Missed(logger, schedule.Name, Utc(skipped), now - skipped, schedule.Misfire, schedule.MisfireWindow, misfireThreshold);
        }

        FireMetrics.Skipped(schedule.Name, decision.Skipped.Count);
        if (decision.SkippedBeyond is { } range)
        {
            Log.MissedMore(logger, schedule.Name, Utc(range.After), Utc(range.Until), schedule.Misfire, MisfireRule.ListedSkips);
        }

        if (decision.Run is not { } occurrence)
        {
            var handled = decision.Handled ?? request.State.LastOccurrence;
            var next = Next(clock, handled, request.Due);
            if (decision.Skipped.Count == 0)
            {
                Log.Duplicate(logger, schedule.Name, handled is { } h ? Utc(h) : "-");
            }

            return new FireResult(
                decision.Skipped.Count > 0 ? FireOutcome.Missed : FireOutcome.Duplicate,
                decision.Skipped.Count > 0 ? decision.Handled : handled,
                null,
                null,
                request.State with { LastOccurrence = handled },
                next,
                next);
        }

        var nextDue = Next(clock, occurrence, request.Due);
        var key = $"{schedule.Name}:{Utc(occurrence)}";
        if (decision.Late > misfireThreshold)
        {
            Log.CatchingUp(logger, schedule.Name, Utc(occurrence), decision.Late);
        }

        var previous = request.State.LastCallId;
        if (schedule.Overlap == ScheduleOverlap.Skip && previous is not null &&
            await dispatcher.IsRunningAsync(previous, cancellationToken).ConfigureAwait(false))
        {
            Log.Overlapping(logger, schedule.Name, Utc(occurrence), previous, Show(nextDue));
            return new FireResult(FireOutcome.Overlapping, occurrence, null, null, request.State with { LastOccurrence = occurrence }, nextDue, nextDue);
        }

        string callId;
        try
        {
            callId = await dispatcher.SpawnAsync(schedule, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The skipped occurrences are done with; this one is tried again, and the misfire rule decides again then.
            Log.FireFailed(logger, e, schedule.Name, schedule.Target, Utc(occurrence), RetryDelay);
            var skippedUpTo = decision.Skipped.Count > 0 ? decision.Skipped[^1] : request.State.LastOccurrence;
            return new FireResult(FireOutcome.Failed, occurrence, key, null, request.State with { LastOccurrence = skippedUpTo }, request.Due, now + RetryDelay);
        }

        Log.Fired(logger, schedule.Name, schedule.Target, Utc(occurrence), callId, key, Show(nextDue));
        return new FireResult(FireOutcome.Fired, occurrence, key, callId, new FireState(occurrence, callId), nextDue, nextDue);
    }

    /// <summary>The UTC form used in idempotency keys and logs: <c>2026-11-22T03:00:00Z</c>.</summary>
    internal static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<FireResult> ManualAsync(ScheduleDefinition schedule, FireRequest request, DateTimeOffset manualAt, CancellationToken cancellationToken)
    {
        var key = $"{schedule.Name}:manual-{Utc(manualAt)}";
        string callId;
        try
        {
            callId = await dispatcher.SpawnAsync(schedule, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ManualFailed(logger, e, schedule.Name, schedule.Target, key);
            return new FireResult(FireOutcome.Failed, manualAt, key, null, request.State);
        }

        Log.Fired(logger, schedule.Name, schedule.Target, "manual-" + Utc(manualAt), callId, key, Show(request.NextFire));
        return new FireResult(FireOutcome.Fired, manualAt, key, callId, request.State with { LastCallId = callId });
    }

    // The next occurrence after the last one handled; never before the one the trigger was set for.
    private static DateTimeOffset? Next(ScheduleClock clock, DateTimeOffset? handled, DateTimeOffset due) =>
        clock.NextAfter(handled is { } h && h >= due ? h : due.AddTicks(-1));

    private static string Show(DateTimeOffset? next) => next is { } time ? Utc(time) : "none";
}
