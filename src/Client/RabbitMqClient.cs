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

/// <summary>A <see cref="PipelineClient"/> with its own RabbitMQ bus, for a process that only calls functions.</summary>
internal sealed class RabbitMqClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IBusControl _bus;

    private RabbitMqClient(ServiceProvider services, PipelineClient client)
    {
        _services = services;
        _bus = services.GetRequiredService<IBusControl>();
        Client = client;
    }

    public PipelineClient Client { get; }

    public static async Task<RabbitMqClient> StartAsync(RabbitMqOptions options, IEnumerable<AppManifest> apps, IResultStore? results = null, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (loggers is not null)
        {
            services.AddSingleton(loggers);
        }

        services.AddSingleton(Options.Create(options));
        services.AddSingleton<BrokerTopology>();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, transport) =>
        {
            var uri = options.AmqpUri;
            var (user, password) = options.Credentials;
            transport.Host(uri.Host, (ushort)(uri.Port > 0 ? uri.Port : 5672), options.VirtualHost, host =>
            {
                host.Username(user);
                host.Password(password);
            });
        }));
        var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(cancellationToken).ConfigureAwait(false);
        var time = TimeProvider.System;
        var client = new PipelineClient(
            new RabbitMqTransport(bus, provider.GetRequiredService<BrokerTopology>()),
            new ManifestCatalog(apps),
            results ?? new InMemoryResultStore(time),
            time);
        return new RabbitMqClient(provider, client);
    }

    public async ValueTask DisposeAsync()
    {
        await _bus.StopAsync().ConfigureAwait(false);
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
