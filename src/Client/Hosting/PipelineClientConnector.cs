using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pipeline.Client.Targets;
using Pipeline.Client.Transport;
using Pipeline.Messages.Manifests;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Client.Hosting;

/// <summary>
/// Owns the registered client: the client exists at once and connects on its first call (<see cref="LazyTransport"/>);
/// the connection closes when the host stops.
/// </summary>
internal sealed class PipelineClientConnector : IHostedService, IAsyncDisposable
{
    private readonly LazyTransport _transport;
    private PostgresResultStore? _store;

    /// <param name="rabbit">The broker.</param>
    /// <param name="apps">The apps the client calls.</param>
    /// <param name="results">Where spawned calls are kept: the PostgreSQL of these options (a store the connector owns, on <paramref name="dataSource"/>), or null.</param>
    /// <param name="dataSource">The process's PostgreSQL pool the owned store uses; null for one of its own.</param>
    /// <param name="shared">A store of the process to use instead (a worker host's own), or null.</param>
    /// <param name="loggers">Where the bus logs.</param>
    /// <param name="time">The clock.</param>
    public PipelineClientConnector(RabbitMqOptions rabbit, IReadOnlyList<AppManifest> apps, PostgresResultStoreOptions? results, NpgsqlDataSource? dataSource, IResultStore? shared, ILoggerFactory? loggers, TimeProvider time)
    {
        _transport = new LazyTransport(token => BusConnection.ConnectAsync(rabbit, loggers, time, token));
        _store = shared is null && results is not null ? new PostgresResultStore(results, dataSource, time) : null;
        Client = new PipelineClient(_transport, new ManifestCatalog(apps), shared ?? (IResultStore?)_store ?? new InMemoryResultStore(time), time);
    }

    public PipelineClient Client { get; }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _store, null) is { } store)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }
    }
}
