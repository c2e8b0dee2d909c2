namespace Pipeline.Bench.Servers;

/// <summary>A node's memory by kind, in bytes: all of Erlang's, queue processes, connections and channels, metadata tables.</summary>
internal readonly record struct BrokerMemory(long Total, long Queues, long Connections, long Tables)
{
    public static BrokerMemory operator -(BrokerMemory a, BrokerMemory b) =>
        new(a.Total - b.Total, a.Queues - b.Queues, a.Connections - b.Connections, a.Tables - b.Tables);
}
