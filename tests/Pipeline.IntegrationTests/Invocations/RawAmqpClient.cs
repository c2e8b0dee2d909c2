using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.IntegrationTests.Infrastructure;
using RabbitMQ.Client;

namespace Pipeline.IntegrationTests.Invocations;

/// <summary>
/// What a publisher in another language does (docs/wire-format.md), with nothing but <c>RabbitMQ.Client</c> and JSON
/// text: an exclusive reply queue behind a temporary exchange of the same name, pool declarations, notices, envelopes,
/// and reading replies and dead letters. On dispose it deletes the pools it was told it owns, with their error queues.
/// </summary>
public sealed class RawAmqpClient : IAsyncDisposable
{
    public const string MassTransitJson = "application/vnd.masstransit+json";
    public const string NoticeExchange = "Pipeline.Messages.Invocations:PoolDemanded";

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly List<string> _owned = [];
    private readonly List<string> _exchanges = [];
    private readonly string _addressPrefix;

    private RawAmqpClient(IConnection connection, IChannel channel, string replyQueue, string addressPrefix)
    {
        _connection = connection;
        _channel = channel;
        ReplyQueue = replyQueue;
        _addressPrefix = addressPrefix;
        ResponseAddress = AddressOf(replyQueue);
    }

    /// <summary>The exclusive queue replies arrive on.</summary>
    public string ReplyQueue { get; }

    /// <summary>What to put in an envelope's <c>responseAddress</c>: <c>rabbitmq://host/[vhost/]reply?temporary=true</c>.</summary>
    public string ResponseAddress { get; }

    public static async Task<RawAmqpClient> ConnectAsync(Servers servers)
    {
        var broker = new Uri(servers.RabbitMq);
        var connection = await new ConnectionFactory { Uri = broker, ClientProvidedName = "itest-raw-publisher" }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var reply = "itest-replies-" + Guid.NewGuid().ToString("N")[..12];
        await channel.QueueDeclareAsync(reply, durable: false, exclusive: true, autoDelete: true);

        // Exactly what MassTransit declares for "?temporary=true": fanout, not durable, auto-delete (gone with the queue).
        await channel.ExchangeDeclareAsync(reply, ExchangeType.Fanout, durable: false, autoDelete: true);
        await channel.QueueBindAsync(reply, reply, routingKey: "");
        var virtualHost = Uri.UnescapeDataString(broker.AbsolutePath.Trim('/'));
        return new RawAmqpClient(connection, channel, reply, virtualHost.Length == 0 ? $"rabbitmq://{broker.Host}/" : $"rabbitmq://{broker.Host}/{virtualHost}/");
    }

    /// <summary>The <c>responseAddress</c> of a temporary reply exchange named <paramref name="exchange"/>, in this client's virtual host.</summary>
    public string AddressOf(string exchange) => $"{_addressPrefix}{exchange}?temporary=true";

    /// <summary>Declares a fanout exchange with the given flags; deleted on dispose.</summary>
    public async Task DeclareExchangeAsync(string exchange, bool durable, bool autoDelete)
    {
        _exchanges.Add(exchange);
        await _channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable, autoDelete);
    }

    /// <summary>Declares a pool queue and its error queue as docs/wire-format.md says; owned ones are deleted on dispose.</summary>
    public async Task DeclarePoolAsync(string queue, string app, string kind, string target, string parametersJson, bool owned)
    {
        if (owned)
        {
            Own(queue);
        }

        await DeclareBoundAsync(queue, new Dictionary<string, object?>
        {
            ["x-pipeline-app"] = app,
            ["x-pipeline-kind"] = kind,
            ["x-pipeline-target"] = target,
            ["x-pipeline-parameters"] = parametersJson,
        });
        await DeclareBoundAsync(queue + "_error", null);
    }

    /// <summary>Deletes <paramref name="queue"/> and its error queue on dispose (a pool someone else declared).</summary>
    public void Own(string queue) => _owned.Add(queue);

    /// <summary>Publishes a PoolDemanded notice whose <c>message</c> is <paramref name="noticeJson"/>.</summary>
    public async Task AnnounceAsync(string noticeJson)
    {
        await _channel.ExchangeDeclareAsync(NoticeExchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await PublishAsync(NoticeExchange, $$"""{"messageType":["urn:message:Pipeline.Messages.Invocations:PoolDemanded"],"message":{{noticeJson}}}""", mandatory: false);
    }

    /// <summary>A RunInvocation envelope around <paramref name="messageJson"/>, answered to this client's reply queue (or <paramref name="responseAddress"/>).</summary>
    public string Invocation(string messageJson, string? responseAddress = null) =>
        $$"""{"messageId":"{{Guid.NewGuid()}}","messageType":["urn:message:Pipeline.Messages.Invocations:RunInvocation"],"responseAddress":"{{responseAddress ?? ResponseAddress}}","message":{{messageJson}}}""";

    /// <summary>Publishes persistent, mandatory (by default) and confirmed; throws when the broker returns or refuses it.</summary>
    public async Task PublishAsync(string exchange, string body, string contentType = MassTransitJson, bool mandatory = true)
    {
        var properties = new BasicProperties { ContentType = contentType, DeliveryMode = DeliveryModes.Persistent };
        await _channel.BasicPublishAsync(exchange, routingKey: "", mandatory, properties, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Takes the next reply envelope from the reply queue.</summary>
    public async Task<JsonElement> ReadReplyAsync(TimeSpan timeout)
    {
        JsonElement? reply = null;
        await Eventually.TrueAsync(
            async () =>
            {
                if (await _channel.BasicGetAsync(ReplyQueue, autoAck: true) is not { } message)
                {
                    return false;
                }

                using var document = JsonDocument.Parse(message.Body);
                reply = document.RootElement.Clone();
                return true;
            },
            timeout,
            $"a reply reached {ReplyQueue}");
        return reply!.Value;
    }

    /// <summary>
    /// Takes the first message of <paramref name="queue"/> whose body contains <paramref name="marker"/> (any message when
    /// null), with its headers as text; the other messages stay in the queue.
    /// </summary>
    public async Task<(string Body, IReadOnlyDictionary<string, string> Headers)> TakeAsync(string queue, string? marker, TimeSpan timeout)
    {
        (string, IReadOnlyDictionary<string, string>)? found = null;
        await Eventually.TrueAsync(async () => (found = await TryTakeAsync(queue, marker)) is not null, timeout, $"a message{(marker is null ? "" : $" with '{marker}'")} reached {queue}");
        return found!.Value;
    }

    /// <summary>
    /// Takes every message of <paramref name="queue"/> whose body contains <paramref name="marker"/>, until
    /// <paramref name="expected"/> have been taken; the other messages stay in the queue.
    /// </summary>
    public async Task<IReadOnlyList<(string Body, IReadOnlyDictionary<string, string> Headers)>> TakeAllAsync(string queue, string marker, int expected, TimeSpan timeout)
    {
        var taken = new List<(string, IReadOnlyDictionary<string, string>)>();
        await Eventually.TrueAsync(
            async () =>
            {
                await using var channel = await _connection.CreateChannelAsync();
                while (taken.Count < expected && await channel.BasicGetAsync(queue, autoAck: false) is { } message)
                {
                    var body = Encoding.UTF8.GetString(message.Body.Span);
                    if (body.Contains(marker, StringComparison.Ordinal))
                    {
                        taken.Add((body, Headers(message.BasicProperties)));
                        await channel.BasicAckAsync(message.DeliveryTag, multiple: false);
                    }
                }

                return taken.Count >= expected;
            },
            timeout,
            $"{expected} messages with '{marker}' reached {queue}");
        return taken;
    }

    /// <summary>How many messages wait in <paramref name="queue"/> now.</summary>
    public async Task<uint> CountAsync(string queue) => (await _channel.QueueDeclarePassiveAsync(queue)).MessageCount;

    /// <summary>Deletes a queue, whatever it holds (absent is fine).</summary>
    public async Task DeleteQueueAsync(string queue) => await _channel.QueueDeleteAsync(queue);

    /// <summary>How many consumers <paramref name="queue"/> has now.</summary>
    public async Task<uint> ConsumersAsync(string queue) => (await _channel.QueueDeclarePassiveAsync(queue)).ConsumerCount;

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _owned)
        {
            foreach (var name in new[] { queue, queue + "_error" })
            {
                await _channel.QueueDeleteAsync(name);
                await _channel.ExchangeDeleteAsync(name);
            }
        }

        foreach (var exchange in _exchanges)
        {
            await _channel.ExchangeDeleteAsync(exchange);
        }

        await _channel.CloseAsync();
        await _channel.DisposeAsync();
        await _connection.CloseAsync();
        await _connection.DisposeAsync();
    }

    private static Dictionary<string, string> Headers(IReadOnlyBasicProperties properties) =>
        (properties.Headers ?? new Dictionary<string, object?>()).ToDictionary(
            h => h.Key,
            h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(h.Value, CultureInfo.InvariantCulture) ?? "");

    private async Task DeclareBoundAsync(string name, IDictionary<string, object?>? arguments)
    {
        await _channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false);
        await _channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments);
        await _channel.QueueBindAsync(name, name, routingKey: "");
    }

    private async Task<(string, IReadOnlyDictionary<string, string>)?> TryTakeAsync(string queue, string? marker)
    {
        // Messages looked at and not taken stay unacknowledged until this channel closes, then go back to the queue.
        await using var channel = await _connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(queue, autoAck: false) is { } message)
        {
            var body = Encoding.UTF8.GetString(message.Body.Span);
            if (marker is null || body.Contains(marker, StringComparison.Ordinal))
            {
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false);
                return (body, Headers(message.BasicProperties));
            }
        }

        return null;
    }
}
