using Microsoft.Extensions.Logging;
using Pipeline.Client;
using Pipeline.Messages.Manifests;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Scheduler.Hosting;

/// <summary>
/// The scheduler service's client: a <see cref="PipelineConnection"/> to RabbitMQ, opened when the service starts,
/// reading call states from the process's results store (so from its one PostgreSQL pool).
/// </summary>
internal sealed class ServiceConnection(RabbitMqOptions rabbit, IReadOnlyList<AppManifest> apps, IResultStore results, ILoggerFactory loggers) : IAsyncDisposable
{
    private PipelineConnection? _connection;

    /// <summary>Whether the broker connection is open.</summary>
    public bool IsConnected => _connection is not null;

    public PipelineClient Client => _connection?.Client ?? throw new InvalidOperationException("The scheduler fired before its broker connection was open.");

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _connection ??= await PipelineConnection.StartAsync(rabbit, apps, results, loggers, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
