using MassTransit;
using Pipeline.Messages.Invocations;

namespace Pipeline.WorkerHost.Pools;

/// <summary>Receives pool notices and forms the pool here.</summary>
internal sealed class PoolDemandedConsumer(PoolManager pools) : IConsumer<PoolDemanded>
{
    public Task Consume(ConsumeContext<PoolDemanded> context) => pools.EnsureAsync(context.Message, context.CancellationToken);
}
