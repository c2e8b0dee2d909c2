using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Client.Targets;
using Pipeline.Client.Transport;
using Pipeline.Messages.Manifests;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Client;

/// <summary>
/// A <see cref="PipelineClient"/> connected to RabbitMQ with its own bus, for a service that calls functions served by
/// worker hosts. Spawned calls' results are read from PostgreSQL when <c>PostgresResultStoreOptions</c> are given, else kept in this process.
/// <code>
/// await using var connection = await PipelineConnection.ConnectAsync(new RabbitMqOptions(), AppManifests.From(typeof(Model).Assembly));
/// var reply = await connection.Client.Function("inference", "square").RemoteAsync&lt;int&gt;([7]);
/// </code>
/// </summary>
public sealed class PipelineConnection : IAsyncDisposable
{
    private readonly BusConnection _bus;

    private PipelineConnection(BusConnection bus, PipelineClient client)
    {
        _bus = bus;
        Client = client;
    }

    /// <summary>The client.</summary>
    public PipelineClient Client { get; }

    /// <summary>Connects to the broker in <paramref name="options"/> and returns a client for <paramref name="apps"/>.</summary>
    /// <param name="options">The broker, as given: nothing here reads the environment (bind them from a configuration with <c>AddPipelineEnvironment()</c> for <c>PIPELINE_RABBITMQ</c>); an empty <see cref="RabbitMqOptions.ConnectionString"/> means <c>amqp://guest:guest@127.0.0.1:5672/</c>.</param>
    /// <param name="apps">The apps this service calls, for names and parameter defaults (<c>AppManifests.From(assembly)</c>).</param>
    /// <param name="results">
    /// Where spawned calls' results are read: the same PostgreSQL the worker hosts record them in. Null keeps them in
    /// this process only, which suits remote calls and fire-and-forget but not spawn/get across processes.
    /// </param>
    /// <param name="loggers">Where the bus logs; none by default.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <exception cref="InvalidOperationException">The options are invalid; the message names the key.</exception>
    /// <exception cref="BrokerUnavailableException">The broker did not answer within <see cref="RabbitMqOptions.SendTimeout"/>.</exception>
    public static Task<PipelineConnection> ConnectAsync(
        RabbitMqOptions options,
        IEnumerable<AppManifest> apps,
        PostgresResultStoreOptions? results = null,
        ILoggerFactory? loggers = null,
        CancellationToken cancellationToken = default) =>
        StartAsync(options, apps, results is null ? null : new PostgresResultStore(results, TimeProvider.System), loggers, cancellationToken);

    internal static async Task<PipelineConnection> StartAsync(RabbitMqOptions options, IEnumerable<AppManifest> apps, IResultStore? results = null, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        var time = TimeProvider.System;
        var bus = await BusConnection.ConnectAsync(options, loggers, time, cancellationToken).ConfigureAwait(false);
        var client = new PipelineClient(bus.Transport, new ManifestCatalog(apps), results ?? new InMemoryResultStore(time), time);
        return new PipelineConnection(bus, client);
    }

    /// <summary>The connection's own services: its bus on the broker in <paramref name="options"/>, not started.</summary>
    internal static ServiceCollection CreateServices(RabbitMqOptions options, ILoggerFactory? loggers)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (loggers is not null)
        {
            services.AddSingleton(loggers);
        }

        services.AddSingleton(Options.Create(options));
        services.AddSingleton<BrokerTopology>();
        services.AddMassTransit(bus =>
        {
            // A self-hosted process contacts only the servers it is configured with: no usage report to masstransit.io.
            bus.DisableUsageTelemetry();
            bus.UsingRabbitMq((_, transport) =>
            {
                transport.UseBroker(options);

                // Start the reply endpoint with the bus: otherwise the first burst of remote calls on a new connection
                // blocks a thread each until it is up (measured in bench/: 100 calls took 25 s instead of 3 s).
                transport.AutoStart = true;
            });
        });
        return services;
    }

    /// <summary>Stops the bus and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _bus.DisposeAsync().ConfigureAwait(false);
        if (Client.Results is IAsyncDisposable results)
        {
            await results.DisposeAsync().ConfigureAwait(false);
        }
    }
}
