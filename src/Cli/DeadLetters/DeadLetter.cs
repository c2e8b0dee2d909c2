using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Messages.Invocations;
using RabbitMQ.Client;

namespace Pipeline.Cli.DeadLetters;

/// <summary>
/// One message of a pool's <c>_error</c> queue, as read from the broker: the input (when it is a readable
/// <see cref="RunInvocation"/> envelope) and why it is there: Pipeline's <c>pipeline-*</c> headers, or MassTransit's
/// <c>MT-Reason</c> and <c>MT-Fault-*</c> for input no host could read (docs/wire-format.md).
/// </summary>
internal sealed class DeadLetter
{
    private DeadLetter(ulong deliveryTag, string? messageId, RunInvocation? input, IReadOnlyDictionary<string, object?> headers, DateTimeOffset? sentAt)
    {
        DeliveryTag = deliveryTag;
        MessageId = messageId;
        Input = input;
        SentAt = sentAt;
        Status = Header(headers, "pipeline-status") ?? (Header(headers, "MT-Reason") is { } reason ? "Unreadable (" + reason + ")" : "Unknown");
        ErrorType = Header(headers, "pipeline-error-type") ?? Header(headers, "MT-Fault-ExceptionType");
        Reason = Header(headers, "pipeline-reason") ?? Header(headers, "MT-Fault-Message");
        Attempts = int.TryParse(Header(headers, "pipeline-attempts"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempts) ? attempts : null;
    }

    /// <summary>The broker's tag for this delivery on the channel that read it.</summary>
    public ulong DeliveryTag { get; }

    /// <summary>The envelope's message id.</summary>
    public string? MessageId { get; }

    /// <summary>The input; null when the message is no readable input (malformed JSON, another message type).</summary>
    public RunInvocation? Input { get; }

    public string? CallId => Input?.CallId;

    /// <summary><c>app.function</c> or <c>app.class.method</c>, with the class parameters.</summary>
    public string Target => Input is not { } input ? "?"
        : input.Class is null ? $"{input.App}.{input.Function}"
        : $"{input.App}.{input.Class}.{input.Function}{(input.Parameters is { ValueKind: JsonValueKind.Object } p ? " " + p.GetRawText() : "")}";

    public string Status { get; }

    public string? ErrorType { get; }

    public string? Reason { get; }

    public int? Attempts { get; }

    /// <summary>When the envelope was sent to the error queue.</summary>
    public DateTimeOffset? SentAt { get; }

    /// <summary>Whether <paramref name="id"/> is this letter's call id or message id.</summary>
    public bool Matches(string id) => string.Equals(id, CallId, StringComparison.OrdinalIgnoreCase) || string.Equals(id, MessageId, StringComparison.OrdinalIgnoreCase);

    public static DeadLetter Read(BasicGetResult message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var headers = message.BasicProperties.Headers is { } h ? new Dictionary<string, object?>(h, StringComparer.Ordinal) : [];
        string? messageId = message.BasicProperties.MessageId;
        RunInvocation? input = null;
        DateTimeOffset? sentAt = null;
        try
        {
            using var envelope = JsonDocument.Parse(message.Body);
            var root = envelope.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                messageId = Text(root, "messageId") ?? messageId;
                sentAt = Text(root, "sentTime") is { } sent && DateTimeOffset.TryParse(sent, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
                if (IsInvocation(root) && root.TryGetProperty("message", out var body) && body.ValueKind == JsonValueKind.Object)
                {
                    input = body.Deserialize<RunInvocation>(Messages.Invocations.PayloadJson.Options);
                }
            }
        }
        catch (JsonException)
        {
            // Not an envelope, or not a readable input: listed with MassTransit's reason, never replayed.
        }

        return new DeadLetter(message.DeliveryTag, messageId, input, headers, sentAt);
    }

    private static bool IsInvocation(JsonElement envelope) =>
        envelope.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array
        && types.EnumerateArray().Any(t => t.GetString() == Replay.RunInvocationType);

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Header(IReadOnlyDictionary<string, object?> headers, string key) =>
        headers.TryGetValue(key, out var value)
            ? value switch
            {
                null => null,
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                string text => text,
                IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            }
            : null;
}
