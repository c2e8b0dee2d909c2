using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Firing;

/// <summary>Where fires go: the client that spawns the call, and the results store that says whether a call still runs.</summary>
internal interface IScheduleDispatcher
{
    /// <summary>Spawns the schedule's function with its arguments and the idempotency key; returns the call id.</summary>
    Task<string> SpawnAsync(ScheduleDefinition schedule, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Whether the call is still pending or running (not finished, not unknown).</summary>
    Task<bool> IsRunningAsync(string callId, CancellationToken cancellationToken);
}
