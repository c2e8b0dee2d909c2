using MassTransit;

namespace Pipeline.RabbitMq.Tests;

/// <summary>
/// A MassTransit 8 receive endpoint on a declared pool queue starts, consumes, and moves a failed message to the
/// pool's error queue: its own declarations agree with <see cref="BrokerTopology.DeclarePoolAsync"/>.
/// </summary>
[Collection(BrokerTests.Name)]
public sealed class MassTransitEndpointTests(BrokerFixture broker) : IAsyncLifetime
{
    private readonly string _queue = BrokerFixture.NewQueueName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => broker.DeletePoolAsync(_queue);

    [Theory]
    [InlineData(RabbitMqQueueType.Classic)]
    [InlineData(RabbitMqQueueType.Quorum)]
    public async Task ReceiveEndpoint_OnDeclaredPool_ConsumesAndMovesFaultsToErrorQueue(RabbitMqQueueType queueType)
    {
        var options = broker.Options(queueType);
        var demand = BrokerTopologyTests.FunctionPool(_queue);
        await using var topology = BrokerFixture.Topology(options);
        await topology.DeclarePoolAsync(demand, CancellationToken.None);
        var received = new TaskCompletionSource();

        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            var (user, password) = options.Credentials;
            var amqp = options.AmqpUri;
            cfg.Host(amqp.Host, (ushort)amqp.Port, options.VirtualHost, h =>
            {
                h.Username(user);
                h.Password(password);
            });

            // MassTransit copies an endpoint's queue arguments to its error queue; the pool-only ones must not go there.
            cfg.SendTopology.ConfigureErrorSettings = s =>
            {
                foreach (var key in PoolQueueArguments.PoolOnly)
                {
                    s.SetQueueArgument(key, null);
                }
            };

            cfg.ReceiveEndpoint(_queue, e =>
            {
                e.ConfigureConsumeTopology = false;
                e.PublishFaults = false;
                if (queueType == RabbitMqQueueType.Quorum)
                {
                    e.SetQuorumQueue();
                }

                foreach (var (key, value) in PoolQueueArguments.For(demand, options))
                {
                    e.SetQueueArgument(key, value);
                }

                e.Handler<Ping>(_ =>
                {
                    received.TrySetResult();
                    throw new InvalidOperationException("to the error queue");
                });
            });
        });

        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{_queue}"));
            await endpoint.Send(new Ping("hello"));

            await received.Task.WaitAsync(TimeSpan.FromSeconds(15));
            await BrokerFixture.EventuallyAsync(
                () => topology.PeekAsync(_queue + "_error", CancellationToken.None),
                counts => counts?.Ready == 1,
                "the failed message is in the error queue");
        }
        finally
        {
            await bus.StopAsync();
        }

        Assert.Equal(new QueueCounts(0, 0), await topology.PeekAsync(_queue, CancellationToken.None));
    }

    public sealed record Ping(string Text);
}
