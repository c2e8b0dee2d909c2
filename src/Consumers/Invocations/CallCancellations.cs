using System.Collections.Concurrent;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// The calls this process was told to cancel, and a token per running call. A cancel that arrives before its input
/// is remembered for <see cref="Memory"/> (at most <see cref="Capacity"/> ids, oldest forgotten first), so the input
/// is dropped when it comes.
/// </summary>
internal sealed class CallCancellations(TimeProvider time)
{
    public static readonly TimeSpan Memory = TimeSpan.FromHours(1);
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _cancelled = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _terminating = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string CallId, DateTimeOffset At)> _order = new();

    /// <summary>Whether a cancel for this call has been heard (and not yet forgotten).</summary>
    public bool IsCancelled(string callId) => _cancelled.ContainsKey(callId);

    /// <summary>Whether the cancel of this call asked to terminate the container running it.</summary>
    public bool TerminatesContainer(string callId) => _terminating.ContainsKey(callId);

    /// <summary>Cancels the call if it runs here, and remembers it for an input that has not arrived yet.</summary>
    /// <param name="callId">The call.</param>
    /// <param name="terminateContainers">Also replace the container running it (Modal's <c>terminate_containers</c>).</param>
    public void Cancel(string callId, bool terminateContainers = false)
    {
        ArgumentNullException.ThrowIfNull(callId);
        var now = time.GetUtcNow();
        if (terminateContainers)
        {
            // Before the token fires, so the attempt that sees it knows to terminate its container.
            _terminating[callId] = true;
        }

        if (_cancelled.TryAdd(callId, now))
        {
            _order.Enqueue((callId, now));
        }

        Forget(now);
        if (_running.TryGetValue(callId, out var running))
        {
            try
            {
                running.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended as the cancel came in.
            }
        }
    }

    /// <summary>A token cancelled when the call is; dispose the result when the attempt ends.</summary>
    public Tracked Track(string callId)
    {
        var source = new CancellationTokenSource();
        _running[callId] = source;
        if (IsCancelled(callId))
        {
            source.Cancel();
        }

        return new Tracked(this, callId, source);
    }

    private void Forget(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && (now - oldest.At > Memory || _order.Count > Capacity) && _order.TryDequeue(out oldest))
        {
            _cancelled.TryRemove(oldest.CallId, out _);
            _terminating.TryRemove(oldest.CallId, out _);
        }
    }

    internal readonly struct Tracked(CallCancellations owner, string callId, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public void Dispose()
        {
            owner._running.TryRemove(new KeyValuePair<string, CancellationTokenSource>(callId, source));
            source.Dispose();
        }
    }
}
