using MassTransit;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// Logs when the host's notice endpoint is up (its broker connection works). A lost broker connection is handled per
/// pool, by the pool's own endpoint (<c>MassTransitPoolTransport</c>): its container runs <c>exit</c> and stops, and
/// the reconciler enters a fresh one after MassTransit reconnects.
/// </summary>
internal sealed class PoolEndpointObserver(Microsoft.Extensions.Logging.ILogger<PoolEndpointObserver> logger) : IReceiveEndpointObserver
{
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

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
