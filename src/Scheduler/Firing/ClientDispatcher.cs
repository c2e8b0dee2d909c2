using System.Text.Json;
using Pipeline.Client;
using Pipeline.Results;
using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// Fires through the client library, as any service calls a function: a spawned call (so its result is stored and
/// <see cref="ScheduleOverlap.Skip"/> can ask whether it finished) with the occurrence's idempotency key.
/// </summary>
/// <param name="client">The client; resolved on first fire (the service connects when it starts).</param>
/// <param name="results">The results store the workers record to; the same one the client registers spawned calls in.</param>
internal sealed class ClientDispatcher(Func<PipelineClient> client, IResultStore results) : IScheduleDispatcher
{
    public async Task<string> SpawnAsync(ScheduleDefinition schedule, string idempotencyKey, CancellationToken cancellationToken)
    {
        var call = await client().Function(schedule.App, schedule.Function)
            .SpawnAsync(Arguments(schedule.Args), new CallOptions { IdempotencyKey = idempotencyKey }, cancellationToken)
            .ConfigureAwait(false);
        return call.Id;
    }

    public async Task<bool> IsRunningAsync(string callId, CancellationToken cancellationToken)
    {
        var lookup = await results.GetAsync(callId, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return lookup.State == CallState.Pending;
    }

    // JsonElement arguments travel as they are (PayloadJson writes an element as its own JSON).
    private static List<object?> Arguments(JsonElement args) => args.EnumerateArray().Select(a => (object?)a.Clone()).ToList();
}
