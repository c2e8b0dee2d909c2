using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Messages.Manifests;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Client;

/// <summary>Registers a <see cref="PipelineClient"/> for a service that runs on the .NET generic host (ASP.NET Core included).</summary>
public static class PipelineClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="PipelineClient"/> singleton connected to the RabbitMQ of <c>Pipeline:RabbitMq</c> (or env
    /// <c>PIPELINE_RABBITMQ</c>), reading spawned calls' results from the PostgreSQL of <c>Pipeline:Results</c> (or env
    /// <c>PIPELINE_POSTGRES</c>) when one is set, else keeping them in this process. It connects when the host starts and
    /// disconnects when it stops. The client has its own bus, so a service that uses MassTransit itself is not disturbed.
    /// <code>
    /// builder.Services.AddPipelineClient(builder.Configuration, AppManifests.From(typeof(Model).Assembly));
    /// </code>
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration holding the <c>Pipeline</c> section.</param>
    /// <param name="apps">The apps this service calls (<c>AppManifests.From(assembly)</c>).</param>
    /// <returns>The services.</returns>
    /// <exception cref="InvalidOperationException">A setting is wrong; the message names the key.</exception>
    public static IServiceCollection AddPipelineClient(this IServiceCollection services, IConfiguration configuration, IEnumerable<AppManifest> apps)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(apps);
        var rabbit = configuration.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        var results = configuration.GetSection(PostgresResultStoreOptions.SectionName).Get<PostgresResultStoreOptions>() ?? new PostgresResultStoreOptions();
        var durable = results.ConnectionString is { Length: > 0 } || Environment.GetEnvironmentVariable(PostgresResultStoreOptions.EnvironmentVariable) is { Length: > 0 };
        var problems = rabbit.Validate().Concat(durable ? results.Validate() : []).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid Pipeline client settings: " + string.Join(" ", problems));
        }

        var manifests = apps.ToList();
        services.AddSingleton(sp => new PipelineClientConnector(rabbit, manifests, durable ? results : null, sp.GetService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<PipelineClientConnector>());
        services.AddSingleton(sp => sp.GetRequiredService<PipelineClientConnector>().Client);
        return services;
    }
}

/// <summary>Connects the registered client when the host starts, and disconnects it when the host stops.</summary>
internal sealed class PipelineClientConnector(RabbitMqOptions rabbit, IReadOnlyList<AppManifest> apps, PostgresResultStoreOptions? results, ILoggerFactory? loggers)
    : IHostedService, IAsyncDisposable
{
    private PipelineConnection? _connection;

    public PipelineClient Client => _connection?.Client
        ?? throw new InvalidOperationException("The Pipeline client is not connected yet: it connects when the host starts. Resolve PipelineClient after the host has started (for example inside a request or a hosted service's ExecuteAsync).");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _connection = await PipelineConnection.ConnectAsync(rabbit, apps, results, loggers, cancellationToken).ConfigureAwait(false);

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
