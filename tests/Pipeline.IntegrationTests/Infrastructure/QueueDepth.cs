using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>Exact message counts of queues, read with a passive declare (the management API's numbers lag).</summary>
public static class QueueDepth
{
    /// <summary>Messages in each queue that exists; a queue that does not exist counts 0.</summary>
    public static async Task<IReadOnlyDictionary<string, uint>> ReadAsync(string amqpUri, IEnumerable<string> queues)
    {
        var factory = new ConnectionFactory { Uri = new Uri(amqpUri), RequestedConnectionTimeout = TimeSpan.FromSeconds(10) };
        await using var connection = await factory.CreateConnectionAsync();
        var depths = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var queue in queues)
        {
            // A passive declare of a missing queue closes the channel: one channel per queue.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                depths[queue] = (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
            {
                depths[queue] = 0;
            }
        }

        return depths;
    }
}
