using Microsoft.Extensions.Options;
using Pipeline.Client;
using Pipeline.RabbitMq;

namespace Pipeline.Gateway.Hosting;

/// <summary>The gateway's connection to the pipeline: one client over RabbitMQ, opened before the first request is served.</summary>
internal sealed class GatewayConnection(IOptions<RabbitMqOptions> rabbit, GatewayRoutes gateway, ILoggerFactory loggers) : IHostedService
{
    private PipelineConnection? _connection;

    /// <summary>Whether the client is connected (between start and stop).</summary>
    public bool IsConnected => _connection is not null;

    /// <summary>The client; only used by requests, which the server takes after this service started.</summary>
    public PipelineClient Client => _connection?.Client ?? throw new InvalidOperationException("The gateway is not connected to the pipeline yet.");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _connection = await PipelineConnection.ConnectAsync(rabbit.Value, gateway.Registry.Manifests, results: null, loggers, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }
}
