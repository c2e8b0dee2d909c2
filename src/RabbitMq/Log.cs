using Microsoft.Extensions.Logging;

namespace Pipeline.RabbitMq;

/// <summary>Log messages of Pipeline.RabbitMq; event ids 6000-6999. Connection strings appear only redacted.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "Connecting to RabbitMQ at {Broker} as {ConnectionName}")]
    public static partial void Connecting(ILogger logger, string broker, string connectionName);

    [LoggerMessage(6001, LogLevel.Warning, "RabbitMQ connection {ConnectionName} closed ({ReplyCode} {ReplyText}); its leases are lost and it reopens on next use")]
    public static partial void ConnectionLost(ILogger logger, string connectionName, ushort replyCode, string replyText);

    [LoggerMessage(6010, LogLevel.Information, "Declared pool queue {Queue} ({QueueType})")]
    public static partial void PoolDeclared(ILogger logger, string queue, RabbitMqQueueType queueType);

    [LoggerMessage(6011, LogLevel.Information, "Deleted idle pool queue {Queue}")]
    public static partial void PoolDeleted(ILogger logger, string queue);

    [LoggerMessage(6012, LogLevel.Debug, "Kept pool queue {Queue}: RabbitMQ refused to delete it ({Reason})")]
    public static partial void PoolKept(ILogger logger, string queue, string reason);

    [LoggerMessage(6013, LogLevel.Warning, "RabbitMQ cannot delete a quorum queue only when it is empty and unused ({Reason}); idle quorum pool queues such as {Queue} are kept")]
    public static partial void QuorumDeleteUnsupported(ILogger logger, string queue, string reason);

    [LoggerMessage(6014, LogLevel.Debug, "Kept exchange {Exchange} of deleted pool queue: it is still in use ({Reason})")]
    public static partial void ExchangeKept(ILogger logger, string exchange, string reason);

    [LoggerMessage(6020, LogLevel.Debug, "Acquired lease {Lease}")]
    public static partial void LeaseAcquired(ILogger logger, string lease);

    [LoggerMessage(6021, LogLevel.Debug, "All {Max} leases of {Queue} are held")]
    public static partial void LeasesHeld(ILogger logger, string queue, int max);

    [LoggerMessage(6022, LogLevel.Debug, "Released lease {Lease}")]
    public static partial void LeaseReleased(ILogger logger, string lease);

    [LoggerMessage(6023, LogLevel.Debug, "Lease {Lease} was not deleted; it goes with its connection")]
    public static partial void LeaseReleaseFailed(ILogger logger, Exception exception, string lease);
}
