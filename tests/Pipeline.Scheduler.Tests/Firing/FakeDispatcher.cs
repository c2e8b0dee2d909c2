using System.Collections.Concurrent;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>Records spawns instead of publishing; calls stay running until <see cref="Finish"/>.</summary>
internal sealed class FakeDispatcher : IScheduleDispatcher
{
    private readonly ConcurrentQueue<(string Schedule, string Key, string CallId)> _spawned = new();
    private readonly ConcurrentDictionary<string, bool> _running = new();
    private int _next;

    public IReadOnlyList<(string Schedule, string Key, string CallId)> Spawned => [.. _spawned];

    public Exception? FailWith { get; set; }

    public Task<string> SpawnAsync(ScheduleDefinition schedule, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (FailWith is { } failure)
        {
            throw failure;
        }

        var id = $"fc-{Interlocked.Increment(ref _next)}";
        _running[id] = true;
        _spawned.Enqueue((schedule.Name, idempotencyKey, id));
        return Task.FromResult(id);
    }

    public Task<bool> IsRunningAsync(string callId, CancellationToken cancellationToken) => Task.FromResult(_running.GetValueOrDefault(callId));

    public void Finish(string callId) => _running[callId] = false;
}
