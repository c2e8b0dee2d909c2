using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.RabbitMq;

namespace Pipeline.Client.Transport;

/// <summary>A client's own bus on RabbitMQ, started, with the transport that sends over it.</summary>
internal sealed class BusConnection : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IBusControl _bus;
    private readonly ReplyRouter _replies;

    private BusConnection(ServiceProvider services, IBusControl bus, ReplyRouter replies, RabbitMqTransport transport)
    {
        _services = services;
        _bus = bus;
        _replies = replies;
        Transport = transport;
    }

    public RabbitMqTransport Transport { get; }

    /// <summary>Starts a bus on the broker in <paramref name="options"/>, within its send timeout.</summary>
    /// <exception cref="InvalidOperationException">The options are invalid; the message names the key.</exception>
    /// <exception cref="BrokerUnavailableException">The broker did not answer within <see cref="RabbitMqOptions.SendTimeout"/>.</exception>
    public static async Task<BusConnection> ConnectAsync(RabbitMqOptions options, ILoggerFactory? loggers, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid RabbitMQ settings: " + string.Join(" ", problems));
        }

        var provider = PipelineConnection.CreateServices(options, loggers).BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        var deadline = new SendDeadline(options.SendTimeout, options.Redacted, time);
        try
        {
            // MassTransit waits for an unreachable broker without limit: bounded like every send.
            await deadline.RunAsync(bus, static (b, token) => b.StartAsync(token), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BrokerUnavailableException or OperationCanceledException)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await bus.StopAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A bus that never connected has nothing to stop gracefully.
            }

            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var replies = new ReplyRouter(bus);
        var transport = new RabbitMqTransport(bus, provider.GetRequiredService<BrokerTopology>(), replies, deadline, provider.GetRequiredService<ILoggerFactory>().CreateLogger("Pipeline.Client"));
        return new BusConnection(provider, bus, replies, transport);
    }

    /// <summary>Stops the bus and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        _replies.Dispose();
        await _bus.StopAsync().ConfigureAwait(false);
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
