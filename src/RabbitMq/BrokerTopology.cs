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
/// (<c>pipeline-topology &lt;machine&gt;/&lt;pid&gt;</c>, see <see cref="ConnectionNames"/>), opened on first use and
/// reopened on the next use after it closed. Thread-safe.
/// Every operation takes a fresh channel: RabbitMQ closes a channel on each refusal (404, 405, 406), which here are
/// ordinary answers, not failures.
/// </summary>
internal sealed class BrokerTopology : IAsyncDisposable
{
    /// <summary>The role in the topology connection's name in the management UI (<see cref="ConnectionNames"/>).</summary>
    public const string ConnectionName = "pipeline-topology";

    private static readonly string OwnName = ConnectionNames.Of(ConnectionName);

    // AMQP short strings: queue and exchange names are at most 255 bytes.
    private const int MaxNameBytes = 255;

    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxTopologyHeartbeat = TimeSpan.FromSeconds(10);

    private readonly RabbitMqOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionFactory _factory;
    private readonly List<AmqpTcpEndpoint> _endpoints;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _declared = new(StringComparer.Ordinal);
    private TopologySession? _session;
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
            ClientProvidedName = OwnName,

            // Recovery would silently redeclare the exclusive lease queues on a new connection after their Lost
            // token fired, while another host may already hold them: this class reopens by itself instead.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,

            // Leases of a host that vanished without closing its socket are freed after about two missed heartbeats:
            // at most 10 s, shorter when the configured heartbeat is.
            RequestedHeartbeat = _options.Heartbeat < MaxTopologyHeartbeat ? _options.Heartbeat : MaxTopologyHeartbeat,
        };

        // Every cluster node (or the connection string's one): a connection goes to the first that answers.
        _endpoints = _options.Nodes
            .Select(n => new AmqpTcpEndpoint(n.Host, n.Port, new SslOption(n.Host, enabled: _factory.Ssl.Enabled)))
            .ToList();
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
        ArgumentException.ThrowIfNullOrEmpty(queue, nameof(demand));
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
        using var bound = Bound(session, cancellationToken);
        try
        {
            var channel = await session.OpenChannelAsync(bound.Token).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                await DeclareBoundQueueAsync(channel, queue, arguments, bound.Token).ConfigureAwait(false);
                await DeclareBoundQueueAsync(channel, error, errorArguments, bound.Token).ConfigureAwait(false);
            }
        }
        catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.PreconditionFailed)
        {
            throw new InvalidOperationException(
                $"RabbitMQ refused to declare pool queue '{queue}' as configured: {e.ShutdownReason?.ReplyText}. " +
                $"It exists with other arguments: {RabbitMqOptions.SectionName}:QueueType and :DeliveryLimit must be " +
                "the same on every host and client. To switch it (for example from classic to quorum), either set them back " +
                $"to what the queue has, or stop its producers, let it drain and delete it (rabbitmqctl delete_queue '{queue}' " +
                "-p <vhost>, or the management UI); it is declared again with the new settings on the next call.",
                e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Lost($"declaring pool queue '{queue}'", e);
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
            deleted = await TryDeleteQueueAsync(queue, quorum, cancellationToken).ConfigureAwait(false);
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
        var channel = await session.OpenChannelAsync(cancellationToken).ConfigureAwait(false);
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
    /// <param name="queue">The pool queue.</param>
    /// <param name="max">How many slots there are.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <param name="labels">Queue arguments the lease queue carries (who holds it), shown by the management API; optional.</param>
    /// <returns>The lease, or <see langword="null"/> when all slots are held.</returns>
    public async Task<BrokerLease?> TryAcquireLeaseAsync(string queue, int max, CancellationToken cancellationToken, IDictionary<string, object?>? labels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        CheckName(LeaseName(queue, max - 1), nameof(queue));

        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        for (var slot = 0; slot < max; slot++)
        {
            if (await session.TryLeaseAsync(queue, slot, LeaseName(queue, slot), labels, cancellationToken).ConfigureAwait(false) is { } lease)
            {
                return lease;
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
        using var bound = Bound(session, cancellationToken);
        try
        {
            var channel = await session.OpenChannelAsync(bound.Token).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                var ok = await channel.QueueDeclarePassiveAsync(queue, bound.Token).ConfigureAwait(false);
                return new QueueCounts(ok.MessageCount, checked((int)ok.ConsumerCount));
            }
        }
        catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.NotFound)
        {
            return null;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Lost($"counting queue '{queue}'", e);
        }
    }

    // RabbitMQ.Client may wait without end for an answer on a connection the broker closed meanwhile (seen when
    // close_all_connections or a broker restart hit a pool's declare, which then held the pool's start, and with it the
    // host's reconcile loop, for good). An operation here ends when its connection is lost, or after OperationTimeout.
    private static CancellationTokenSource Bound(TopologySession session, CancellationToken cancellationToken)
    {
        var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Lost);
        bound.CancelAfter(OperationTimeout);
        return bound;
    }

    private static TopologyConnectionLostException Lost(string what, Exception inner) => new(
        $"RabbitMQ did not answer while {what}: the connection was lost or {OperationTimeout.TotalSeconds:0} s passed. The next call connects again.",
        inner);

    /// <summary>
    /// Declares a reply exchange (and, when <paramref name="queue"/> is set, a queue bound to it) with exactly the flags a
    /// MassTransit send to that address declares, on a channel of its own: RabbitMQ refuses a declare that differs from
    /// what exists (406) by closing the channel, which must never be a pool's channel.
    /// </summary>
    /// <returns>Null when the exchange (and queue) exist as asked now; else RabbitMQ's refusal, for people.</returns>
    public async Task<string?> TryDeclareReplyAsync(string exchange, string type, bool durable, bool autoDelete, string? queue, CancellationToken cancellationToken)
    {
        if (Encoding.UTF8.GetByteCount(exchange) is 0 or > MaxNameBytes)
        {
            return $"'{exchange}' is not an exchange name RabbitMQ takes (1 to {MaxNameBytes} bytes).";
        }

        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await session.OpenChannelAsync(cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                await channel.ExchangeDeclareAsync(exchange, type, durable, autoDelete, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (queue is not null)
                {
                    await channel.QueueDeclareAsync(queue, durable, exclusive: false, autoDelete, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await channel.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                return null;
            }
            catch (OperationInterruptedException e) when (ReplyCode(e) is Constants.PreconditionFailed or Constants.AccessRefused or Constants.NotFound or Constants.ResourceLocked or Constants.CommandInvalid)
            {
                return $"RabbitMQ refused to declare it as the address asks (type {type}, durable {durable}, auto-delete {autoDelete}): {e.ShutdownReason?.ReplyText}.";
            }
        }
    }

    /// <summary>Closes the connection, which frees every lease it holds.</summary>
    public async ValueTask DisposeAsync()
    {
        TopologySession? session;
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

    private async Task<bool> TryDeleteQueueAsync(string queue, bool quorum, CancellationToken cancellationToken)
    {
        // RabbitMQ answers a conditional delete of a quorum queue it cannot do with 540 NOT_IMPLEMENTED, which closes
        // the whole connection: ask on a connection of its own, never on the one that holds the leases.
        var own = quorum
            ? await _factory.CreateConnectionAsync(_endpoints, ConnectionNames.Of(ConnectionName + "-delete"), cancellationToken).ConfigureAwait(false)
            : null;
        try
        {
            var channel = own is null
                ? await (await GetSessionAsync(cancellationToken).ConfigureAwait(false)).OpenChannelAsync(cancellationToken).ConfigureAwait(false)
                : await own.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                // A queue that does not exist is deleted "ok": it is gone, as asked.
                await channel.QueueDeleteAsync(queue, ifUnused: true, ifEmpty: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }
        }
        catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.PreconditionFailed)
        {
            Log.PoolKept(_logger, queue, e.ShutdownReason?.ReplyText ?? "in use");
            return false;
        }
        catch (OperationInterruptedException e) when (ReplyCode(e) == Constants.NotImplemented && own is not null)
        {
            // Once is enough to know: the broker will not change its mind while this process runs.
            if (Interlocked.Exchange(ref _quorumDeleteUnsupported, 1) == 0)
            {
                Log.QuorumDeleteUnsupported(_logger, queue, e.ShutdownReason?.ReplyText ?? "not implemented");
            }

            return false;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<TopologySession> GetSessionAsync(CancellationToken cancellationToken)
    {
        var session = Volatile.Read(ref _session);
        if (session is { IsOpen: true })
        {
            return session;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            session = _session;
            if (session is { IsOpen: true })
            {
                return session;
            }

            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            // The broker may have restarted or been replaced: declare everything again.
            _declared.Clear();
            Log.Connecting(_logger, _options.Redacted, OwnName);
            var connection = await _factory.CreateConnectionAsync(_endpoints, OwnName, cancellationToken).ConfigureAwait(false);
            session = new TopologySession(connection, _logger);
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

    private Task OnShutdownAsync(TopologySession session, ShutdownEventArgs args)
    {
        if (args.Initiator != ShutdownInitiator.Application)
        {
            Log.ConnectionLost(_logger, OwnName, args.ReplyCode, args.ReplyText);
        }

        session.MarkLost();
        return Task.CompletedTask;
    }
}
