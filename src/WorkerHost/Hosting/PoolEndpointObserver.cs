using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// When the broker connection goes (broker shutdown, <c>rabbitmqctl close_all_connections</c>, network loss), the pool
/// endpoints fault: their containers run <c>exit</c> and stop. MassTransit reconnects with back-off; the reconciler
/// then starts pools that have input again, entering fresh containers.
/// </summary>
internal sealed class PoolEndpointObserver(IServiceProvider services, Microsoft.Extensions.Logging.ILogger<PoolEndpointObserver> logger) : IReceiveEndpointObserver
{
    // Resolved late: the pool manager needs the bus, and the bus is being built when this observer is.
    private PoolManager Pools => services.GetRequiredService<PoolManager>();

    public Task Ready(ReceiveEndpointReady ready)
    {
        if (ready.InputAddress.AbsolutePath.Contains(WorkerHostServiceCollectionExtensions.NoticeQueuePrefix, StringComparison.Ordinal))
        {
            Log.ListeningForNotices(logger);
        }

        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        var queue = faulted.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (queue is not null && Pools.IsServing(queue))
        {
            Log.EndpointFaulted(logger, queue);

            // Not awaited: MassTransit is reconnecting on this call path, and stopping the endpoint waits for it.
            _ = Task.Run(() => Pools.StopPoolAsync(queue, "broker connection lost", CancellationToken.None));
        }

        return Task.CompletedTask;
    }
}
