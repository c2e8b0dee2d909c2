using MassTransit;
using Pipeline.Messages.Invocations;

namespace Pipeline.WorkerHost.Pools;

/// <summary>Receives pool notices and forms the pool here; a process container (<paramref name="onlyPool"/>) heeds only its own pool's.</summary>
internal sealed class PoolDemandedConsumer(PoolManager pools, PoolDemanded? onlyPool = null) : IConsumer<PoolDemanded>
{
    public Task Consume(ConsumeContext<PoolDemanded> context) =>
        onlyPool is null || onlyPool.Queue == context.Message.Queue ? pools.EnsureAsync(context.Message, context.CancellationToken) : Task.CompletedTask;
}
