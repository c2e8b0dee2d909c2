using System.Collections.Concurrent;
using System.Text.Json;
using Pipeline.Client.Targets;
using Pipeline.Client.Transport;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Results;

namespace Pipeline.Client;

/// <summary>
/// Calls functions and class methods wherever their worker hosts run. Start from <see cref="Function"/> or
/// <see cref="Cls"/>; rebuild a spawned call from its id with <see cref="Call"/>. Thread-safe; keep one per process.
/// </summary>
public sealed class PipelineClient : IPipelineClient
{
    private readonly IInvocationTransport _transport;
    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (Task Task, long At)> _announced = new(StringComparer.Ordinal);

    internal PipelineClient(IInvocationTransport transport, ManifestCatalog catalog, IResultStore results, TimeProvider time)
    {
        _transport = transport;
        Catalog = catalog;
        Results = results;
        Time = time;
    }

    internal ManifestCatalog Catalog { get; }

    internal IResultStore Results { get; }

    internal TimeProvider Time { get; }

    /// <summary>A plain function of an app (Modal's <c>Function.from_name(app, name)</c>).</summary>
    /// <param name="app">The app name.</param>
    /// <param name="name">The function name: C# name or kebab-case (<c>NightlyReport</c> or <c>nightly-report</c>).</param>
    /// <exception cref="ArgumentException">The app or function is not known.</exception>
    public FunctionHandle Function(string app, string name)
    {
        var manifest = Catalog.Function(app, name);
        var appName = Names.Normalize(app);
        return new FunctionHandle(this, new CallTarget(appName, null, manifest.Name, QueueNames.ForFunction(appName, manifest.Name), null));
    }

    /// <summary>A parameterized class of an app (Modal's <c>Cls.from_name(app, name)</c>); choose its parameters with <see cref="ClsHandle.With(object?)"/>.</summary>
    /// <param name="app">The app name.</param>
    /// <param name="name">The class name.</param>
    /// <exception cref="ArgumentException">The app or class is not known.</exception>
    public ClsHandle Cls(string app, string name) => new(this, Names.Normalize(app), Catalog.Class(app, name));

    /// <summary>A spawned call, by id, from this or any other process (Modal's <c>FunctionCall.from_id</c>). No I/O until used.</summary>
    /// <param name="callId">The id from <see cref="FunctionCall.Id"/>.</param>
    public FunctionCall Call(string callId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        return new FunctionCall(this, callId);
    }

    internal async Task<InvocationCompleted> RequestAsync(CallTarget target, IReadOnlyList<object?> args, CancellationToken cancellationToken)
    {
        var invocation = Build(target, args, storeResult: false, idempotencyKey: null);
        await AnnounceAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            return await _transport.RequestAsync(target.Queue, invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: the input must not run on (Modal cancels a remote call whose caller is interrupted).
            _ = CancelOnHostsAsync(invocation.CallId);
            throw;
        }
    }

    internal async Task<InvocationChunkCompleted> RequestChunkAsync(CallTarget target, RunInvocationChunk chunk, CancellationToken cancellationToken)
    {
        await AnnounceAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            return await _transport.RequestChunkAsync(target.Queue, chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            foreach (var input in chunk.Inputs)
            {
                _ = CancelOnHostsAsync(input.CallId);
            }

            throw;
        }
    }

    /// <summary>Cancels a call: a pending spawned call is marked cancelled at once, and hosts stop it or drop its input.</summary>
    internal async Task<bool> CancelAsync(string callId, bool terminateContainers, CancellationToken cancellationToken)
    {
        var cancelled = await Results.CancelAsync(callId, cancellationToken).ConfigureAwait(false);
        await _transport.CancelAsync(new CancelInvocation { CallId = callId, TerminateContainers = terminateContainers }, cancellationToken).ConfigureAwait(false);
        return cancelled;
    }

    private async Task CancelOnHostsAsync(string callId)
    {
        try
        {
            await _transport.CancelAsync(new CancelInvocation { CallId = callId }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the input still ends by its own timeout.
        }
    }

    internal async Task<string> SendAsync(CallTarget target, IReadOnlyList<object?> args, bool storeResult, CallOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var invocation = Build(target, args, storeResult, options.IdempotencyKey);
        if (options.IdempotencyKey is { } key)
        {
            // The same key, pending or done: the first call is the answer, and nothing is sent. The store refuses a bad key.
            var owner = await Results.ClaimAsync(key, invocation.CallId, cancellationToken).ConfigureAwait(false);
            if (owner != invocation.CallId)
            {
                return owner;
            }
        }

        if (storeResult)
        {
            await Results.RegisterAsync(invocation.CallId, invocation.ParentCallId, cancellationToken).ConfigureAwait(false);
        }

        await AnnounceAsync(target, cancellationToken).ConfigureAwait(false);
        await _transport.SendAsync(target.Queue, invocation, cancellationToken).ConfigureAwait(false);
        return invocation.CallId;
    }

    /// <summary>One input of a map's chunk: its own call id, and its arguments as JSON.</summary>
    internal static ChunkInput BuildInput(IReadOnlyList<object?> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return new ChunkInput { CallId = NewCallId(), Args = JsonSerializer.SerializeToElement(args, PayloadJson.Options) };
    }

    private static string NewCallId() => "fc-" + Guid.NewGuid().ToString("N");

    private RunInvocation Build(CallTarget target, IReadOnlyList<object?> args, bool storeResult, string? idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(args);
        return new RunInvocation
        {
            CallId = NewCallId(),
            App = target.App,
            Class = target.Class,
            Function = target.Function,
            Parameters = target.Parameters,
            Args = JsonSerializer.SerializeToElement(args, PayloadJson.Options),
            StoreResult = storeResult,
            IdempotencyKey = idempotencyKey,
            ParentCallId = CurrentCall.Id,
            SentAt = Time.GetUtcNow(),
        };
    }

    // Once per pool, then again every few seconds while the pool gets input: a host that scaled the pool down hears
    // of new input at once instead of at its next reconcile. A lost notice is made good by the hosts' reconciliation.
    private Task AnnounceAsync(CallTarget target, CancellationToken cancellationToken)
    {
        var now = Time.GetTimestamp();
        if (!_announced.TryGetValue(target.Queue, out var entry) || !IsFresh(entry, now))
        {
            entry = _announced.AddOrUpdate(target.Queue, _ => (Announce(target), now), (_, old) => IsFresh(old, now) ? old : (Announce(target), now));
        }

        return entry.Task.IsCompletedSuccessfully ? Task.CompletedTask : entry.Task.WaitAsync(cancellationToken);
    }

    private bool IsFresh((Task Task, long At) entry, long now) => !entry.Task.IsFaulted && Time.GetElapsedTime(entry.At, now) < AnnounceInterval;

    private Task Announce(CallTarget target) => _transport.AnnounceAsync(
        new PoolDemanded { Queue = target.Queue, App = target.App, Class = target.Class, Function = target.Class is null ? target.Function : null, Parameters = target.Parameters },
        CancellationToken.None);
}
