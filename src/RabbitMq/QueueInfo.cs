namespace Pipeline.RabbitMq;

/// <summary>A queue as the management API reports it: statistics sampled every few seconds, not live.</summary>
/// <param name="Name">The queue name.</param>
/// <param name="Messages">Ready plus unacknowledged messages.</param>
/// <param name="Ready">Messages waiting for a consumer.</param>
/// <param name="Unacked">Messages delivered and being worked on.</param>
/// <param name="Consumers">Consumers on the queue.</param>
/// <param name="Arguments">The queue's arguments: strings, longs, doubles, booleans; nested values as JSON text.</param>
/// <param name="IdleSince">Since when the queue has been idle (UTC); <see langword="null"/> while it is in use.</param>
internal sealed record QueueInfo(
    string Name,
    long Messages,
    long Ready,
    long Unacked,
    int Consumers,
    IReadOnlyDictionary<string, object?> Arguments,
    DateTimeOffset? IdleSince);
