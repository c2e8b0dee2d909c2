using MassTransit;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// When the broker connection goes (broker shutdown, <c>rabbitmqctl close_all_connections</c>, network loss), the pool
/// endpoints fault: their containers run <c>exit</c> and stop. MassTransit reconnects with back-off; the reconciler
/// then starts pools that have input again, entering fresh containers.
/// </summary>
internal sealed class PoolEndpointObserver(PoolManager pools, Microsoft.Extensions.Logging.ILogger<PoolEndpointObserver> logger) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready) => Task.CompletedTask;

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        var queue = faulted.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (queue is not null && pools.IsServing(queue))
        {
            Log.EndpointFaulted(logger, queue);

            // Not awaited: MassTransit is reconnecting on this call path, and stopping the endpoint waits for it.
            _ = Task.Run(() => pools.StopPoolAsync(queue, "broker connection lost", CancellationToken.None));
        }

        return Task.CompletedTask;
    }
}
