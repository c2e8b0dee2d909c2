using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// Handles one fire: decides the occurrence and whether it runs (<see cref="MisfireRule"/>), applies the overlap
/// policy, spawns the call with the idempotency key <c>schedule:occurrence-UTC</c>, and logs the fire with the next one.
/// Quartz only says when; everything a user relies on about a fire is decided here, with the injected clock.
/// </summary>
internal sealed class ScheduleFirer(ScheduleSet schedules, IScheduleDispatcher dispatcher, TimeProvider time, TimeSpan misfireThreshold, ILogger<ScheduleFirer> logger)
{
    public async Task<FireResult> FireAsync(FireRequest request, CancellationToken cancellationToken)
    {
        var schedule = schedules.Find(request.Schedule);
        if (schedule is null)
        {
            Log.UnknownSchedule(logger, request.Schedule);
            return new FireResult(FireOutcome.Unknown, null, null, null, request.State);
        }

        var now = time.GetUtcNow();
        DateTimeOffset occurrence;
        string key;
        if (request.ManualAt is { } manualAt)
        {
            occurrence = manualAt;
            key = $"{schedule.Name}:manual-{Utc(manualAt)}";
        }
        else
        {
            var decision = MisfireRule.Decide(schedule, request.FireAt, now, request.State.LastOccurrence, request.NextAfter, misfireThreshold);
            if (!decision.Run)
            {
                return Skipped(schedule, request, decision);
            }

            occurrence = decision.Occurrence!.Value;
            key = $"{schedule.Name}:{Utc(occurrence)}";
            if (decision.Late > misfireThreshold)
            {
                Log.CatchingUp(logger, schedule.Name, Utc(occurrence), decision.Late);
            }
        }

        var previous = request.State.LastCallId;
        if (schedule.Overlap == ScheduleOverlap.Skip && request.ManualAt is null && previous is not null &&
            await dispatcher.IsRunningAsync(previous, cancellationToken).ConfigureAwait(false))
        {
            Log.Overlapping(logger, schedule.Name, Utc(occurrence), previous, Next(request));
            return new FireResult(FireOutcome.Overlapping, occurrence, null, null, request.State with { LastOccurrence = occurrence });
        }

        string callId;
        try
        {
            callId = await dispatcher.SpawnAsync(schedule, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.FireFailed(logger, e, schedule.Name, schedule.Target, Utc(occurrence));
            throw;
        }

        Log.Fired(logger, schedule.Name, schedule.Target, Utc(occurrence), callId, key, Next(request));
        var state = request.ManualAt is null
            ? new FireState(occurrence, callId)
            : request.State with { LastCallId = callId };
        return new FireResult(FireOutcome.Fired, occurrence, key, callId, state);
    }

    /// <summary>The UTC form used in idempotency keys and logs: <c>2026-11-22T03:00:00Z</c>.</summary>
    internal static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private FireResult Skipped(ScheduleDefinition schedule, FireRequest request, FireDecision decision)
    {
        if (decision.Reason == "missed")
        {
            Log.Missed(logger, schedule.Name, Utc(decision.Occurrence!.Value), decision.Late, schedule.Misfire, schedule.MisfireWindow, Next(request));
            return new FireResult(FireOutcome.Missed, decision.Occurrence, null, null, request.State with { LastOccurrence = decision.Occurrence });
        }

        if (decision.Reason == "none")
        {
            // Every occurrence in reach is older than anything this schedule ran; report it as missed, with no time to give.
            Log.Missed(logger, schedule.Name, "(no due occurrence found)", TimeSpan.Zero, schedule.Misfire, schedule.MisfireWindow, Next(request));
            return new FireResult(FireOutcome.Missed, null, null, null, request.State);
        }

        Log.Duplicate(logger, schedule.Name, decision.Occurrence is { } o ? Utc(o) : "-");
        return new FireResult(FireOutcome.Duplicate, decision.Occurrence, null, null, request.State);
    }

    private static string Next(FireRequest request) => request.NextFire is { } next ? Utc(next) : "none";
}
