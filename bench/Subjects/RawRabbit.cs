using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Pipeline.Bench.App;
using Pipeline.Bench.Measuring;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Pipeline.Bench.Subjects;

/// <summary>
/// The ceiling: the plain RabbitMQ .NET client (7.x) tuned as RabbitMQ recommends, with the same durability as the
/// others: durable queues, persistent messages, publisher confirms (hundreds outstanding), manual acks (multiple, every
/// <see cref="AckEvery"/> of a prefetch of <see cref="Prefetch"/>). Publisher and consumer use separate connections.
/// </summary>
internal sealed class RawRabbit : IAsyncDisposable
{
    public const ushort Prefetch = 200;
    public const int AckEvery = 50;

    private readonly IConnection _publisher;
    private readonly IConnection _consumer;
    private readonly IChannel _publish;
    private readonly ReadOnlyMemory<byte> _body;
    private RpcCaller? _caller;

    private RawRabbit(IConnection publisher, IConnection consumer, IChannel publish)
    {
        _publisher = publisher;
        _consumer = consumer;
        _publish = publish;

        // About the size of the JSON body of a Pipeline input, so each side moves the same bytes per message.
        _body = Encoding.UTF8.GetBytes(
            "{\"callId\":\"fc-00000000000000000000000000000000\",\"app\":\"bench\",\"function\":\"noop\",\"args\":[],\"attempt\":1,\"storeResult\":false,\"sentAt\":\"2026-01-01T00:00:00+00:00\"}");
    }

    public static BasicProperties Persistent => new() { Persistent = true, DeliveryMode = DeliveryModes.Persistent };

    public static async Task<RawRabbit> ConnectAsync(Uri amqp, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = amqp };
        var publisher = await factory.CreateConnectionAsync("bench-raw-publisher", cancellationToken);
        var consumer = await factory.CreateConnectionAsync("bench-raw-consumer", cancellationToken);
        var publish = await publisher.CreateChannelAsync(ConfirmOptions(), cancellationToken);
        return new RawRabbit(publisher, consumer, publish);
    }

    /// <summary>Confirms tracked by the client: each publish task completes on the broker's ack, many may be outstanding.</summary>
    public static CreateChannelOptions ConfirmOptions(ushort dispatchConcurrency = 1) => new(
        publisherConfirmationsEnabled: true,
        publisherConfirmationTrackingEnabled: true,
        outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(4096),
        consumerDispatchConcurrency: dispatchConcurrency);

    public async Task DeclareAsync(string queue, CancellationToken cancellationToken)
    {
        await using var channel = await _publisher.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueuePurgeAsync(queue, cancellationToken);
    }

    /// <summary>Publishes <paramref name="count"/> persistent messages with at most <paramref name="window"/> confirms outstanding.</summary>
    public Task PublishAsync(string queue, int count, int window, CancellationToken cancellationToken) =>
        Windowed.RunAsync(count, window, _ => _publish.BasicPublishAsync("", queue, mandatory: false, Persistent, _body, cancellationToken).AsTask());

    /// <summary>Consumes <paramref name="queue"/> until <paramref name="expected"/> messages came, calling the probe for each.</summary>
    public async Task<IAsyncDisposable> ConsumeAsync(string queue, long expected, CancellationToken cancellationToken)
    {
        var channel = await _consumer.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.BasicQosAsync(0, Prefetch, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        long delivered = 0;
        var unacked = 0;
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            Probe.Hit();
            delivered++;
            if (++unacked >= AckEvery || delivered == expected)
            {
                unacked = 0;
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: true);
            }
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
        return channel;
    }

    /// <summary>A request/reply server on <paramref name="queue"/>: replies persistently, awaits the confirm, then acks.</summary>
    public Task<RpcServer> ServeAsync(string queue, CancellationToken cancellationToken) =>
        RpcServer.StartAsync(_consumer, queue, cancellationToken);

    /// <summary>The caller side of request/reply: one confirm channel for requests, one exclusive reply queue.</summary>
    public async Task<RpcCaller> CallerAsync(CancellationToken cancellationToken) =>
        _caller ??= await RpcCaller.StartAsync(_publisher, _body, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_caller is not null)
        {
            await _caller.DisposeAsync();
        }

        await _publish.DisposeAsync();
        await _publisher.CloseAsync();
        await _consumer.CloseAsync();
        _publisher.Dispose();
        _consumer.Dispose();
    }

    internal sealed class RpcServer : IAsyncDisposable
    {
        private readonly IChannel _channel;
        private readonly string _queue;

        private RpcServer(IChannel channel, string queue)
        {
            _channel = channel;
            _queue = queue;
        }

        public static async Task<RpcServer> StartAsync(IConnection connection, string queue, CancellationToken cancellationToken)
        {
            // Replies are published from the consumer callbacks, several at once, each awaiting its confirm before the ack.
            var channel = await connection.CreateChannelAsync(ConfirmOptions(dispatchConcurrency: 32), cancellationToken);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await channel.BasicQosAsync(0, Prefetch, global: false, cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                Probe.Hit();
                var reply = new BasicProperties { Persistent = true, CorrelationId = delivery.BasicProperties.CorrelationId };
                await channel.BasicPublishAsync("", delivery.BasicProperties.ReplyTo!, mandatory: false, reply, delivery.Body);
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
            return new RpcServer(channel, queue);
        }

        /// <summary>Stops consuming and deletes the queue: what scaling this "pool" down costs.</summary>
        public async ValueTask DisposeAsync()
        {
            await _channel.QueueDeleteAsync(_queue, ifUnused: false, ifEmpty: false);
            await _channel.CloseAsync();
            _channel.Dispose();
        }
    }

    internal sealed class RpcCaller : IAsyncDisposable
    {
        private readonly IChannel _requests;
        private readonly IChannel _replies;
        private readonly string _replyQueue;
        private readonly ReadOnlyMemory<byte> _body;
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _pending = new(StringComparer.Ordinal);
        private long _next;

        private RpcCaller(IChannel requests, IChannel replies, string replyQueue, ReadOnlyMemory<byte> body)
        {
            _requests = requests;
            _replies = replies;
            _replyQueue = replyQueue;
            _body = body;
        }

        public static async Task<RpcCaller> StartAsync(IConnection connection, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            var requests = await connection.CreateChannelAsync(ConfirmOptions(), cancellationToken);
            var replies = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var queue = await replies.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
            await replies.BasicQosAsync(0, Prefetch, global: false, cancellationToken);
            var caller = new RpcCaller(requests, replies, queue.QueueName, body);
            var consumer = new AsyncEventingBasicConsumer(replies);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await replies.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                if (delivery.BasicProperties.CorrelationId is { } id && caller._pending.TryRemove(id, out var waiter))
                {
                    waiter.TrySetResult();
                }
            };
            await replies.BasicConsumeAsync(queue.QueueName, autoAck: false, consumer, cancellationToken);
            return caller;
        }

        public async Task CallAsync(string queue, CancellationToken cancellationToken)
        {
            var id = Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
            var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = reply;
            var properties = new BasicProperties { Persistent = true, CorrelationId = id, ReplyTo = _replyQueue };
            await _requests.BasicPublishAsync("", queue, mandatory: false, properties, _body, cancellationToken);
            await reply.Task.WaitAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await _requests.CloseAsync();
            await _replies.CloseAsync();
            _requests.Dispose();
            _replies.Dispose();
        }
    }
}
