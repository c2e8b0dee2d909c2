namespace Pipeline.RabbitMq;

/// <summary>
/// One of the <c>max</c> slots of a pool, held across hosts as an exclusive queue <c>&lt;queue&gt;.lease-&lt;k&gt;</c> on the
/// topology connection. RabbitMQ deletes an exclusive queue when its connection closes, so a host that dies (or loses
/// the broker) frees its leases without anyone cleaning up.
/// </summary>
internal sealed class BrokerLease : IAsyncDisposable
{
    private readonly Func<BrokerLease, ValueTask> _release;
    private int _disposed;

    internal BrokerLease(string queue, int slot, string name, Func<BrokerLease, ValueTask> release, CancellationToken lost)
    {
        Queue = queue;
        Slot = slot;
        Name = name;
        Lost = lost;
        _release = release;
    }

    /// <summary>The pool queue this lease is a slot of.</summary>
    public string Queue { get; }

    /// <summary>The slot number k, from 0 to max - 1.</summary>
    public int Slot { get; }

    /// <summary>The lease queue's name, <c>&lt;queue&gt;.lease-&lt;k&gt;</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Cancelled when the connection that holds the lease closes: from then on another host may hold the same slot,
    /// so whatever the lease guards must stop.
    /// </summary>
    public CancellationToken Lost { get; }

    /// <summary>Releases the lease by deleting its queue; a lease already lost has nothing left to delete.</summary>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? _release(this) : ValueTask.CompletedTask;
}
