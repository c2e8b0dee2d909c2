using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.WorkerHost.Store;

/// <summary>
/// The results store as a worker host's consumers use it: every operation waits out an outage of the store
/// (<see cref="StoreOutage"/>) instead of failing the input, so a restart or saturation of PostgreSQL never dead-letters
/// an input or loses a result; the input is acknowledged only once its outcome is written.
/// </summary>
internal sealed class ResilientResultStore(IResultStore store, StoreOutage outage) : IResultStore
{
    public ValueTask RegisterAsync(string callId, CancellationToken cancellationToken) =>
        outage.RunAsync("register", token => store.RegisterAsync(callId, token), cancellationToken);

    public ValueTask RegisterAsync(string callId, string? parentCallId, CancellationToken cancellationToken) =>
        outage.RunAsync("register", token => store.RegisterAsync(callId, parentCallId, token), cancellationToken);

    public ValueTask<string?> GetParentCallIdAsync(string callId, CancellationToken cancellationToken) =>
        store.GetParentCallIdAsync(callId, cancellationToken);

    public ValueTask RecordAsync(InvocationCompleted result, CancellationToken cancellationToken) =>
        outage.RunAsync("record", token => store.RecordAsync(result, token), cancellationToken);

    public ValueTask<CallLookup> GetAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken) =>
        outage.RunAsync("lookup", token => store.GetAsync(callId, timeout, token), cancellationToken);

    public ValueTask<string> ClaimAsync(string idempotencyKey, string callId, CancellationToken cancellationToken) =>
        outage.RunAsync("claim", token => store.ClaimAsync(idempotencyKey, callId, token), cancellationToken);

    public ValueTask RecordDuplicateAsync(string callId, string ownerCallId, CancellationToken cancellationToken) =>
        outage.RunAsync("duplicate", token => store.RecordDuplicateAsync(callId, ownerCallId, token), cancellationToken);

    public ValueTask<bool> CancelAsync(string callId, CancellationToken cancellationToken) =>
        outage.RunAsync("cancel", token => store.CancelAsync(callId, token), cancellationToken);
}
