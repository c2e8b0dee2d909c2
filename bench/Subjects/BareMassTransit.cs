using MassTransit;
using Pipeline.Bench.App;
using Pipeline.Bench.Measuring;

namespace Pipeline.Bench.Subjects;

/// <summary>
/// The framework: bare MassTransit 8.5 on RabbitMQ, tuned (prefetch 200, publisher confirms on as by default, the bus
/// endpoint started with the bus), sending a small message to an empty consumer and answering a request client.
/// </summary>
internal sealed class BareMassTransit : IAsyncDisposable
{
    public const string ThroughputQueue = "mt.throughput";
    public const string RequestQueue = "mt.request";
    public const int Prefetch = 200;

    private readonly IBusControl _bus;
    private readonly IRequestClient<BenchRequest> _requests;

    private BareMassTransit(IBusControl bus)
    {
        _bus = bus;
        _requests = bus.CreateRequestClient<BenchRequest>(new Uri($"queue:{RequestQueue}"), RequestTimeout.After(s: 60));
    }

    public IBus Bus => _bus;

    public static async Task<BareMassTransit> StartAsync(Uri amqp, CancellationToken cancellationToken)
    {
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            Host(cfg, amqp);
            cfg.AutoStart = true;
            cfg.ReceiveEndpoint(ThroughputQueue, e =>
            {
                e.ConfigureConsumeTopology = false;
                e.PrefetchCount = Prefetch;
                e.Consumer<PingConsumer>();
            });
            cfg.ReceiveEndpoint(RequestQueue, e =>
            {
                e.ConfigureConsumeTopology = false;
                e.PrefetchCount = Prefetch;
                e.Consumer<RequestConsumer>();
            });
        });
        await bus.StartAsync(cancellationToken);
        return new BareMassTransit(bus);
    }

    public static void Host(IRabbitMqBusFactoryConfigurator cfg, Uri amqp)
    {
        var user = amqp.UserInfo.Split(':');
        cfg.Host(amqp.Host, (ushort)(amqp.Port > 0 ? amqp.Port : 5672), Uri.UnescapeDataString(amqp.AbsolutePath.TrimStart('/')), h =>
        {
            h.Username(Uri.UnescapeDataString(user[0]));
            h.Password(user.Length > 1 ? Uri.UnescapeDataString(user[1]) : "guest");
        });
    }

    /// <summary>Sends <paramref name="count"/> pings with at most <paramref name="window"/> confirms outstanding.</summary>
    public async Task SendAsync(string queue, int count, int window, CancellationToken cancellationToken)
    {
        var endpoint = await _bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        await Windowed.RunAsync(count, window, i => endpoint.Send(new BenchPing(i), cancellationToken));
    }

    public Task CallAsync(CancellationToken cancellationToken) => CallAsync(_requests, cancellationToken);

    public static async Task CallAsync(IRequestClient<BenchRequest> client, CancellationToken cancellationToken) =>
        await client.GetResponse<BenchReply>(new BenchRequest(0), cancellationToken);

    /// <summary>A new endpoint for a new queue, as a pool's: consuming once its topology is declared.</summary>
    public async Task<HostReceiveEndpointHandle> ConnectAsync(string queue, bool requests, CancellationToken cancellationToken)
    {
        var handle = _bus.ConnectReceiveEndpoint(queue, e =>
        {
            // Sent to, never published to, as Pipeline's pool endpoints: no message-type exchange bindings.
            e.ConfigureConsumeTopology = false;
            e.PrefetchCount = Prefetch;
            if (requests)
            {
                e.Consumer<RequestConsumer>();
            }
            else
            {
                e.Consumer<PingConsumer>();
            }
        });
        await handle.Ready.WaitAsync(cancellationToken);
        return handle;
    }

    public IRequestClient<BenchRequest> RequestClient(string queue) =>
        _bus.CreateRequestClient<BenchRequest>(new Uri($"queue:{queue}"), RequestTimeout.After(s: 60));

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}

public sealed record BenchPing(long Id);

public sealed record BenchRequest(long Id);

public sealed record BenchReply(long Id);

/// <summary>The empty consumer.</summary>
public sealed class PingConsumer : IConsumer<BenchPing>
{
    public Task Consume(ConsumeContext<BenchPing> context)
    {
        Probe.Hit();
        return Task.CompletedTask;
    }
}

/// <summary>Answers at once.</summary>
public sealed class RequestConsumer : IConsumer<BenchRequest>
{
    public Task Consume(ConsumeContext<BenchRequest> context)
    {
        Probe.Hit();
        return context.RespondAsync(new BenchReply(context.Message.Id));
    }
}
