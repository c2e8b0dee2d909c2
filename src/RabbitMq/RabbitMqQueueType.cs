namespace Pipeline.RabbitMq;

/// <summary>The RabbitMQ queue type of pool queues (<c>Pipeline:RabbitMq:QueueType</c>).</summary>
public enum RabbitMqQueueType
{
    /// <summary>Classic queues: one node, the default; RabbitMQ can delete them only when empty and unused, which idle-pool clean-up relies on.</summary>
    Classic = 0,

    /// <summary>
    /// Quorum queues: replicated across a cluster, with a delivery limit and a dead-letter target (the <c>_error</c> queue).
    /// RabbitMQ up to 4.2 cannot delete a quorum queue only if it is empty and unused, so idle quorum pools are kept.
    /// </summary>
    Quorum = 1,
}
