using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Messages.Invocations;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.RabbitMq;

/// <summary>
/// Declares and deletes pool queues and holds cross-host leases, over one RabbitMQ connection of its own
/// (<c>pipeline-topology</c>), opened on first use and reopened on the next use after it closed. Thread-safe.
/// Every operation takes a fresh channel: RabbitMQ closes a channel on each refusal (404, 405, 406), which here are
/// ordinary answers, not failures.
/// </summary>
internal sealed class BrokerTopology : IAsyncDisposable
{
    /// <summary>The name the topology connection shows in the management UI.</summary>
    public const string ConnectionName = "pipeline-topology";

    // AMQP short strings: queue and exchange names are at most 255 bytes.
    private const int MaxNameBytes = 255;

    private readonly RabbitMqOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionFactory _factory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _declared = new(StringComparer.Ordinal);
    private Session? _session;
    private long _deletes;
    private int _quorumDeleteUnsupported;
    private bool _disposed;

    public BrokerTopology(IOptions<RabbitMqOptions> options, ILogger<BrokerTopology> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _logger = logger;
        _factory = new ConnectionFactory
        {
            Uri = _options.AmqpUri,
            ClientProvidedName = ConnectionName,

            // Recovery would silently redeclare the exclusive lease queues on a new connection after their Lost
            // token fired, while another host may already hold them: this class reopens by itself instead.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,

            // Leases of a host that vanished without closing its socket are freed after about two missed heartbeats.
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>
    /// Declares the topology a MassTransit 8 receive endpoint named <c>demand.Queue</c> expects, with the pool's
    /// arguments on the queue: a durable fanout exchange and a durable queue of that name, bound with routing key "",
    /// and the same pair for <c>&lt;queue&gt;_error</c>. Redeclaring is harmless; a second call on this instance
    /// costs nothing until the pool is deleted through it or the connection is reopened.
    /// </summary>
    /// <exception cref="InvalidOperationException">The queue exists with other arguments (another queue type or delivery limit).</exception>
    public async Task DeclarePoolAsync(PoolDemanded demand, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(demand);
        var queue = demand.Queue;
        if (_declared.ContainsKey(queue))
        {
            return;
        }

        var error = PoolQueueArguments.ErrorQueue(queue);
        CheckName(error, nameof(demand));
        var arguments = PoolQueueArguments.For(demand, _options);
        var errorArguments = PoolQueueArguments.ForErrorQueue(_options);
        var deletes = Interlocked.Read(ref _deletes);

        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await session.Connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                await DeclareBoundQueueAsync(channel, queue, arguments, cancellationToken).ConfigureAwait(false);
                await DeclareBoundQueueAsync(channel, error, errorArguments, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.PreconditionFailed)
            {
                throw new InvalidOperationException(
                    $"RabbitMQ refused to declare pool queue '{queue}' as configured: {e.ShutdownReason?.ReplyText}. " +
                    $"It exists with other arguments: {RabbitMqOptions.SectionName}:QueueType and :DeliveryLimit must be " +
                    "the same on every host, and a queue made with other ones must be drained and deleted first.",
                    e);
            }
        }

        // A delete that started meanwhile may have removed what was just declared: cache only if none did.
        if (Interlocked.Read(ref _deletes) == deletes)
        {
            _declared.TryAdd(queue, 0);
        }

        Log.PoolDeclared(_logger, queue, _options.QueueType);
    }

    /// <summary>
    /// Forgets that <paramref name="queue"/> was declared, so the next <see cref="DeclarePoolAsync"/> declares it again;
    /// for a caller that learnt the queue is gone (another host deleted the idle pool).
    /// </summary>
    public void Forget(string queue) => _declared.TryRemove(queue, out _);

    /// <summary>
    /// Deletes an idle pool queue, only if it is empty and has no consumers (RabbitMQ checks both atomically), then its
    /// exchange if nothing is bound from it. Never touches the <c>_error</c> queue, which may hold what an operator
    /// still has to read. For quorum queues, which RabbitMQ up to 4.2 cannot delete on these conditions, it keeps the
    /// queue and returns <see langword="false"/>.
    /// </summary>
    /// <returns><see langword="true"/> when the queue is gone; <see langword="false"/> when it was kept.</returns>
    public async Task<bool> DeleteIdlePoolAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        if (queue.Contains('_', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{queue}' is not a pool queue (pool names have no '_').", nameof(queue));
        }

        var quorum = _options.QueueType == RabbitMqQueueType.Quorum;
        if (quorum && Volatile.Read(ref _quorumDeleteUnsupported) == 1)
        {
            return false;
        }

        Interlocked.Increment(ref _deletes);
        _declared.TryRemove(queue, out _);
        bool deleted;
        try
        {
            deleted = quorum
                ? await TryDeleteQuorumQueueAsync(queue, cancellationToken).ConfigureAwait(false)
                : await TryDeleteQueueAsync(queue, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A declare that finished during the delete may have cached the queue: forget it again.
            _declared.TryRemove(queue, out _);
        }

        if (!deleted)
        {
            return false;
        }

        Log.PoolDeleted(_logger, queue);
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await session.Connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                // if-unused: a host that is declaring the pool again right now has bound its new queue to it.
                await channel.ExchangeDeleteAsync(queue, ifUnused: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.PreconditionFailed)
            {
                Log.ExchangeKept(_logger, queue, e.ShutdownReason?.ReplyText ?? "in use");
            }
        }

        return true;
    }

    /// <summary>
    /// Tries to take one of <paramref name="max"/> slots of <paramref name="queue"/>, shared by all hosts: the first of
    /// <c>&lt;queue&gt;.lease-0</c> .. <c>&lt;queue&gt;.lease-(max-1)</c> that no connection holds yet.
    /// </summary>
    /// <returns>The lease, or <see langword="null"/> when all slots are held.</returns>
    public async Task<BrokerLease?> TryAcquireLeaseAsync(string queue, int max, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        CheckName(LeaseName(queue, max - 1), nameof(queue));

        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        for (var slot = 0; slot < max; slot++)
        {
            var name = LeaseName(queue, slot);

            // The broker lets the owning connection redeclare its exclusive queue, so slots this process holds are
            // skipped here; reserving first also keeps two concurrent callers from both getting the same slot.
            if (!session.Held.TryAdd(name, 0))
            {
                continue;
            }

            var acquired = false;
            try
            {
                acquired = await TryDeclareLeaseAsync(session, name, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (!acquired)
                {
                    session.Held.TryRemove(name, out _);
                }
            }

            if (acquired)
            {
                Log.LeaseAcquired(_logger, name);
                return new BrokerLease(queue, slot, name, lease => ReleaseAsync(session, lease), session.Lost);
            }
        }

        Log.LeasesHeld(_logger, queue, max);
        return null;
    }

    /// <summary>
    /// Counts a queue's ready messages and consumers now, with a passive declare (unlike the management API, no lag;
    /// messages being worked on are not counted).
    /// </summary>
    /// <returns>The counts, or <see langword="null"/> when the queue does not exist.</returns>
    public async Task<QueueCounts?> PeekAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await session.Connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
                return new QueueCounts(ok.MessageCount, checked((int)ok.ConsumerCount));
            }
            catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.NotFound)
            {
                return null;
            }
        }
    }

    /// <summary>Closes the connection, which frees every lease it holds.</summary>
    public async ValueTask DisposeAsync()
    {
        Session? session;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            session = _session;
            _session = null;
        }
        finally
        {
            _gate.Release();
        }

        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string LeaseName(string queue, int slot) =>
        string.Create(CultureInfo.InvariantCulture, $"{queue}.lease-{slot}");

    private static void CheckName(string name, string parameter)
    {
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw new ArgumentException(
                $"'{name}' is longer than the {MaxNameBytes} bytes RabbitMQ allows in a queue name.", parameter);
        }
    }

    private static ushort ReplyCode(OperationInterruptedException exception) => exception.ShutdownReason?.ReplyCode ?? 0;

    private static async Task DeclareBoundQueueAsync(
        IChannel channel, string name, IDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        // As MassTransit declares a receive endpoint: exchange and queue of one name, durable, never auto-deleted.
        await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await channel.QueueBindAsync(name, name, routingKey: "", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> TryDeclareLeaseAsync(Session session, string name, CancellationToken cancellationToken)
    {
        var channel = await session.Connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                await channel.QueueDeclareAsync(name, durable: false, exclusive: true, autoDelete: true, arguments: null, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                return true;
            }
            catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.ResourceLocked)
            {
                return false;
            }
        }
    }

    private async Task<bool> TryDeleteQueueAsync(string queue, CancellationToken cancellationToken)
    {
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await session.Connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                // A queue that does not exist is deleted "ok": it is gone, as asked.
                await channel.QueueDeleteAsync(queue, ifUnused: true, ifEmpty: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.PreconditionFailed)
            {
                Log.PoolKept(_logger, queue, e.ShutdownReason?.ReplyText ?? "in use");
                return false;
            }
        }
    }

    private async Task<bool> TryDeleteQuorumQueueAsync(string queue, CancellationToken cancellationToken)
    {
        // RabbitMQ answers a conditional delete of a quorum queue it cannot do with 540 NOT_IMPLEMENTED, which closes
        // the whole connection: ask on a connection of its own, never on the one that holds the leases.
        var connection = await _factory.CreateConnectionAsync(ConnectionName + "-delete", cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await using (channel.ConfigureAwait(false))
                {
                    await channel.QueueDeleteAsync(queue, ifUnused: true, ifEmpty: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return true;
                }
            }
            catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.PreconditionFailed)
            {
                Log.PoolKept(_logger, queue, e.ShutdownReason?.ReplyText ?? "in use");
                return false;
            }
            catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.NotImplemented)
            {
                // Once is enough to know: the broker will not change its mind while this process runs.
                if (Interlocked.Exchange(ref _quorumDeleteUnsupported, 1) == 0)
                {
                    Log.QuorumDeleteUnsupported(_logger, queue, e.ShutdownReason?.ReplyText ?? "not implemented");
                }

                return false;
            }
        }
    }

    private async ValueTask ReleaseAsync(Session session, BrokerLease lease)
    {
        try
        {
            if (session.Connection.IsOpen)
            {
                var channel = await session.Connection.CreateChannelAsync().ConfigureAwait(false);
                await using (channel.ConfigureAwait(false))
                {
                    await channel.QueueDeleteAsync(lease.Name, ifUnused: false, ifEmpty: false).ConfigureAwait(false);
                }
            }

            Log.LeaseReleased(_logger, lease.Name);
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException or ObjectDisposedException)
        {
            // The connection closed meanwhile, and with it the exclusive queue.
            Log.LeaseReleaseFailed(_logger, e, lease.Name);
        }
        finally
        {
            // Only now: while the queue exists, this connection could declare it again for a second holder.
            session.Held.TryRemove(lease.Name, out _);
        }
    }

    private async Task<Session> GetSessionAsync(CancellationToken cancellationToken)
    {
        var session = Volatile.Read(ref _session);
        if (session is { Connection.IsOpen: true })
        {
            return session;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            session = _session;
            if (session is { Connection.IsOpen: true })
            {
                return session;
            }

            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            // The broker may have restarted or been replaced: declare everything again.
            _declared.Clear();
            Log.Connecting(_logger, _options.Redacted, ConnectionName);
            var connection = await _factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            session = new Session(connection);
            connection.ConnectionShutdownAsync += (_, args) => OnShutdownAsync(session, args);
            if (!connection.IsOpen)
            {
                // Closed before the handler was attached.
                session.MarkLost();
            }

            Volatile.Write(ref _session, session);
            return session;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task OnShutdownAsync(Session session, ShutdownEventArgs args)
    {
        if (args.Initiator != ShutdownInitiator.Application)
        {
            Log.ConnectionLost(_logger, ConnectionName, args.ReplyCode, args.ReplyText);
        }

        session.MarkLost();
        return Task.CompletedTask;
    }

    /// <summary>One connection and what depends on it: its leases and the token that says they are lost.</summary>
    private sealed class Session(IConnection connection) : IAsyncDisposable
    {
        // Never disposed: it has no timer to free, and lease holders still register on its token after the
        // connection is gone, while its callbacks may still be running on the thread pool.
        private readonly CancellationTokenSource _lost = new();

        public IConnection Connection { get; } = connection;

        public ConcurrentDictionary<string, byte> Held { get; } = new(StringComparer.Ordinal);

        public CancellationToken Lost => _lost.Token;

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
                if (Connection.IsOpen)
                {
                    await Connection.CloseAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException)
            {
                // Already closing: nothing left to close.
            }
            finally
            {
                MarkLost();
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
