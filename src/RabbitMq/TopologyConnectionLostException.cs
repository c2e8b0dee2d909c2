namespace Pipeline.RabbitMq;

/// <summary>
/// A topology operation (declare, count) got no answer: its connection was lost meanwhile or the broker did not
/// answer in time. Nothing was changed that a retry would not make the same; the next call opens a new connection.
/// </summary>
internal sealed class TopologyConnectionLostException(string message, Exception inner) : Exception(message, inner);
