namespace Pipeline.RabbitMq;

/// <summary>What a passive declare tells about a queue, at once and without the management API's lag.</summary>
/// <param name="Ready">Messages ready for delivery; unacknowledged ones (being worked on) are not counted.</param>
/// <param name="Consumers">Consumers on the queue.</param>
internal sealed record QueueCounts(long Ready, int Consumers);
