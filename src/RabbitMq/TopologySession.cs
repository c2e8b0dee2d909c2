using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.RabbitMq;

/// <summary>One connection of a <see cref="BrokerTopology"/> and what depends on it: its leases and the token that says they are lost.</summary>
internal sealed class TopologySession(IConnection connection, ILogger logger) : IAsyncDisposable
{
    // Never disposed: it has no timer to free, and lease holders still register on its token after the
    // connection is gone, while its callbacks may still be running on the thread pool.
    private readonly CancellationTokenSource _lost = new();

    // The lease queues this connection holds or is declaring.
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    public bool IsOpen => connection.IsOpen;

    /// <summary>Cancelled once the connection closed, for whatever reason.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>A fresh channel: RabbitMQ closes a channel on every refusal (404, 405, 406), which here are ordinary answers.</summary>
    public Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken) =>
        connection.CreateChannelAsync(cancellationToken: cancellationToken);

    /// <summary>Takes the lease queue <paramref name="name"/> for this connection, unless another connection, or this one, holds it.</summary>
    public async Task<BrokerLease?> TryLeaseAsync(string queue, int slot, string name, IDictionary<string, object?>? labels, CancellationToken cancellationToken)
    {
        // The broker lets the owning connection redeclare its exclusive queue, so slots this process holds are
        // skipped here; reserving first also keeps two concurrent callers from both getting the same slot.
        if (!_held.TryAdd(name, 0))
        {
            return null;
        }

        var acquired = false;
        try
        {
            var channel = await OpenChannelAsync(cancellationToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                await channel.QueueDeclareAsync(name, durable: false, exclusive: true, autoDelete: true, arguments: labels, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                acquired = true;
            }
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.ResourceLocked)
        {
            // Another connection holds it.
        }
        finally
        {
            if (!acquired)
            {
                _held.TryRemove(name, out _);
            }
        }

        if (!acquired)
        {
            return null;
        }

        Log.LeaseAcquired(logger, name);
        return new BrokerLease(queue, slot, name, ReleaseAsync, Lost);
    }

    public void MarkLost()
    {
        // Callbacks of lease holders run on the thread pool, not on the client's connection loop.
        _ = _lost.CancelAsync();
    }

    /// <summary>Closes the connection, which deletes its exclusive lease queues, and marks the leases lost.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (connection.IsOpen)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException)
        {
            // Already closing: nothing left to close.
        }
        finally
        {
            MarkLost();
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask ReleaseAsync(BrokerLease lease)
    {
        try
        {
            if (IsOpen)
            {
                var channel = await OpenChannelAsync(CancellationToken.None).ConfigureAwait(false);
                await using (channel.ConfigureAwait(false))
                {
                    await channel.QueueDeleteAsync(lease.Name, ifUnused: false, ifEmpty: false).ConfigureAwait(false);
                }
            }

            Log.LeaseReleased(logger, lease.Name);
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException or ObjectDisposedException)
        {
            // The connection closed meanwhile, and with it the exclusive queue.
            Log.LeaseReleaseFailed(logger, e, lease.Name);
        }
        finally
        {
            // Only now: while the queue exists, this connection could declare it again for a second holder.
            _held.TryRemove(lease.Name, out _);
        }
    }
}
