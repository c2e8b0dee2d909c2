using System.Text.Json;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Pipeline.RabbitMq.Tests;

[Collection(BrokerTests.Name)]
public sealed class BrokerTopologyTests(BrokerFixture broker) : IAsyncLifetime
{
    private readonly string _queue = BrokerFixture.NewQueueName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => broker.DeletePoolAsync(_queue);

    [Fact]
    public async Task DeclarePoolAsync_Twice_DeclaresMassTransitTopologyWithPoolArguments()
    {
        var options = broker.Options();
        var demand = ClassPool(_queue);
        await using var topology = BrokerFixture.Topology(options);
        using var management = BrokerFixture.Management(options);

        await topology.DeclarePoolAsync(demand, CancellationToken.None);
        await topology.DeclarePoolAsync(demand, CancellationToken.None);

        Assert.Equal(new QueueCounts(0, 0), await topology.PeekAsync(_queue, CancellationToken.None));
        Assert.Equal(new QueueCounts(0, 0), await topology.PeekAsync(_queue + "_error", CancellationToken.None));
        Assert.True(await broker.ExchangeExistsAsync(_queue));
        Assert.True(await broker.ExchangeExistsAsync(_queue + "_error"));

        var info = await ListedAsync(management);
        Assert.Equal("inference", info.Arguments["x-pipeline-app"]);
        Assert.Equal("class", info.Arguments["x-pipeline-kind"]);
        Assert.Equal("Model", info.Arguments["x-pipeline-target"]);
        Assert.Equal("""{"name":"llama"}""", info.Arguments["x-pipeline-parameters"]);
        Assert.DoesNotContain("x-expires", info.Arguments.Keys);
        var read = PoolQueueArguments.TryRead(info.Name, info.Arguments);
        Assert.Equal((demand.App, demand.Class), (read?.App, read?.Class));

        // The error queue is not a pool.
        var all = await management.ListPoolQueuesAsync(CancellationToken.None);
        Assert.DoesNotContain(all, q => q.Name == _queue + "_error");
    }

    [Fact]
    public async Task DeclarePoolAsync_Quorum_DeadLettersToErrorQueueOfSameType()
    {
        var options = broker.Options(RabbitMqQueueType.Quorum);
        await using var topology = BrokerFixture.Topology(options);
        using var management = BrokerFixture.Management(options);

        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);

        var info = await ListedAsync(management);
        Assert.Equal("quorum", info.Arguments["x-queue-type"]);
        Assert.Equal(20L, info.Arguments["x-delivery-limit"]);
        Assert.Equal("", info.Arguments["x-dead-letter-exchange"]);
        Assert.Equal(_queue + "_error", info.Arguments["x-dead-letter-routing-key"]);
        Assert.Equal("{}", info.Arguments["x-pipeline-parameters"]);
        Assert.NotNull(await topology.PeekAsync(_queue + "_error", CancellationToken.None));
    }

    [Fact]
    public async Task DeclarePoolAsync_ExistingQueueOfOtherType_ThrowsNamingTheSetting()
    {
        await using (var classic = BrokerFixture.Topology(broker.Options()))
        {
            await classic.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);
        }

        await using var quorum = BrokerFixture.Topology(broker.Options(RabbitMqQueueType.Quorum));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => quorum.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None));

        Assert.Contains("Pipeline:RabbitMq:QueueType", error.Message, StringComparison.Ordinal);
        Assert.Contains("inequivalent arg", error.Message, StringComparison.Ordinal);
        Assert.Contains($"rabbitmqctl delete_queue '{_queue}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeclarePoolAsync_FirstEndpointDown_ConnectsToTheNextNode()
    {
        var live = new Uri(broker.ConnectionString);
        var options = broker.Options();
        options.Endpoints.Add("127.0.0.1:1");
        options.Endpoints.Add($"{live.Host}:{live.Port}");
        await using var topology = BrokerFixture.Topology(options);

        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);

        Assert.NotNull(await topology.PeekAsync(_queue, CancellationToken.None));
    }

    [Fact]
    public async Task DeclarePoolAsync_NameTooLong_Throws()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());

        await Assert.ThrowsAsync<ArgumentException>(
            () => topology.DeclarePoolAsync(FunctionPool(new string('a', 250)), CancellationToken.None));
    }

    [Fact]
    public async Task DeleteIdlePoolAsync_EmptyAndUnused_DeletesQueueAndExchangeButNotErrorQueue()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());
        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);

        Assert.True(await topology.DeleteIdlePoolAsync(_queue, CancellationToken.None));

        Assert.Null(await topology.PeekAsync(_queue, CancellationToken.None));
        Assert.False(await broker.ExchangeExistsAsync(_queue));
        Assert.NotNull(await topology.PeekAsync(_queue + "_error", CancellationToken.None));
        Assert.True(await broker.ExchangeExistsAsync(_queue + "_error"));
    }

    [Fact]
    public async Task DeclarePoolAsync_AfterDelete_DeclaresAgain()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());
        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);
        Assert.True(await topology.DeleteIdlePoolAsync(_queue, CancellationToken.None));

        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);

        Assert.NotNull(await topology.PeekAsync(_queue, CancellationToken.None));
        Assert.True(await broker.ExchangeExistsAsync(_queue));
    }

    [Fact]
    public async Task DeleteIdlePoolAsync_HoldingAMessage_KeepsQueueAndMessage()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());
        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);
        await broker.PublishAsync(_queue);

        Assert.False(await topology.DeleteIdlePoolAsync(_queue, CancellationToken.None));

        Assert.Equal(new QueueCounts(1, 0), await topology.PeekAsync(_queue, CancellationToken.None));
        Assert.True(await broker.ExchangeExistsAsync(_queue));
    }

    [Fact]
    public async Task DeleteIdlePoolAsync_WithConsumer_KeepsQueue()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());
        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);
        await using var channel = await broker.Connection.CreateChannelAsync();
        await channel.BasicConsumeAsync(_queue, autoAck: false, new AsyncEventingBasicConsumer(channel));

        Assert.False(await topology.DeleteIdlePoolAsync(_queue, CancellationToken.None));

        Assert.Equal(new QueueCounts(0, 1), await topology.PeekAsync(_queue, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteIdlePoolAsync_Quorum_KeepsQueueAndLeavesLeasesAlone()
    {
        // RabbitMQ up to 4.2 closes the whole connection on a conditional delete of a quorum queue.
        await using var topology = BrokerFixture.Topology(broker.Options(RabbitMqQueueType.Quorum));
        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);
        await using var lease = await topology.TryAcquireLeaseAsync(_queue, 1, CancellationToken.None);
        Assert.NotNull(lease);

        Assert.False(await topology.DeleteIdlePoolAsync(_queue, CancellationToken.None));
        Assert.False(await topology.DeleteIdlePoolAsync(_queue, CancellationToken.None));

        Assert.NotNull(await topology.PeekAsync(_queue, CancellationToken.None));
        Assert.False(lease.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task DeleteIdlePoolAsync_ErrorQueueName_Throws()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());

        await Assert.ThrowsAsync<ArgumentException>(() => topology.DeleteIdlePoolAsync(_queue + "_error", CancellationToken.None));
    }

    [Fact]
    public async Task PeekAsync_CountsReadyMessagesAndConsumers()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());
        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);
        await broker.PublishAsync(_queue, "one");
        await broker.PublishAsync(_queue, "two");

        Assert.Equal(new QueueCounts(2, 0), await topology.PeekAsync(_queue, CancellationToken.None));

        await using var channel = await broker.Connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, 1, global: false);
        await channel.BasicConsumeAsync(_queue, autoAck: false, new AsyncEventingBasicConsumer(channel));

        // The one message delivered to the consumer is unacknowledged: no longer ready.
        await BrokerFixture.EventuallyAsync(
            () => topology.PeekAsync(_queue, CancellationToken.None),
            counts => counts == new QueueCounts(1, 1),
            "one message ready and one consumer");
    }

    [Fact]
    public async Task PeekAsync_NoSuchQueue_IsNullAndTheConnectionStaysUsable()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());

        Assert.Null(await topology.PeekAsync(_queue, CancellationToken.None));

        await topology.DeclarePoolAsync(FunctionPool(_queue), CancellationToken.None);
        Assert.Equal(new QueueCounts(0, 0), await topology.PeekAsync(_queue, CancellationToken.None));
    }

    [Fact]
    public async Task DeclarePoolAsync_ClassPool_ManagementShowsEachParameterAsItsOwnArgument()
    {
        var options = broker.Options();
        var demand = PoolParameterArgumentsTests.Demand(
            ("name", ParameterValue.FromString("llama " + Guid.NewGuid().ToString("N")[..8])),
            ("size", ParameterValue.FromInt(7)),
            ("stream", ParameterValue.FromBool(true)),
            ("seed", ParameterValue.FromBytes([1, 2, 3])));
        await using var topology = BrokerFixture.Topology(options);
        using var management = BrokerFixture.Management(options);
        try
        {
            await topology.DeclarePoolAsync(demand, CancellationToken.None);

            var info = await ListedAsync(management, demand.Queue);
            Assert.Equal(demand.Parameters!.Value.GetProperty("name").GetString(), info.Arguments["x-pipeline-param.name"]);
            Assert.Equal(7L, info.Arguments["x-pipeline-param.size"]);
            Assert.Equal(true, info.Arguments["x-pipeline-param.stream"]);
            Assert.Equal("3 bytes: 010203", info.Arguments["x-pipeline-param.seed"]);
            Assert.Equal(demand.Parameters.Value.GetRawText(), info.Arguments["x-pipeline-parameters"]);
            Assert.Equal(demand.Parameters.Value.GetRawText(), PoolQueueArguments.TryRead(info.Name, info.Arguments)!.Parameters!.Value.GetRawText());
        }
        finally
        {
            await broker.DeletePoolAsync(demand.Queue);
        }
    }

    [Fact]
    public async Task DeclarePoolAsync_QueueOfThePreviousVersionWithTheJsonOnly_IsKeptAndStillAPool()
    {
        // The previous version declared x-pipeline-parameters alone. RabbitMQ does not compare x-pipeline-* arguments on a
        // redeclare (no 406) and keeps the ones the queue was made with, so the pool goes on working, read from its JSON.
        var options = broker.Options();
        var demand = PoolParameterArgumentsTests.Demand(("name", ParameterValue.FromString("old " + Guid.NewGuid().ToString("N")[..8])));
        await using var topology = BrokerFixture.Topology(options);
        using var management = BrokerFixture.Management(options);
        try
        {
            var previous = PoolQueueArguments.For(demand, options).Where(a => !a.Key.StartsWith(PoolParameterArguments.Prefix, StringComparison.Ordinal)).ToDictionary();
            await using (var channel = await broker.Connection.CreateChannelAsync())
            {
                await channel.QueueDeclareAsync(demand.Queue, durable: true, exclusive: false, autoDelete: false, arguments: previous);
            }

            await topology.DeclarePoolAsync(demand, CancellationToken.None);
            await broker.PublishAsync(demand.Queue, "input");

            Assert.Equal(new QueueCounts(1, 0), await topology.PeekAsync(demand.Queue, CancellationToken.None));
            var info = await ListedAsync(management, demand.Queue);
            Assert.DoesNotContain(info.Arguments.Keys, k => k.StartsWith(PoolParameterArguments.Prefix, StringComparison.Ordinal));
            var read = PoolQueueArguments.TryRead(info.Name, info.Arguments);
            Assert.Equal((demand.App, demand.Class, demand.Parameters!.Value.GetRawText()), (read?.App, read?.Class, read?.Parameters?.GetRawText()));
        }
        finally
        {
            await broker.DeletePoolAsync(demand.Queue);
        }
    }

    internal static PoolDemanded FunctionPool(string queue) => new() { Queue = queue, App = "test", Function = "run" };

    internal static PoolDemanded ClassPool(string queue) => new()
    {
        Queue = queue,
        App = "inference",
        Class = "Model",
        Parameters = JsonDocument.Parse("""{ "name": "llama" }""").RootElement,
    };

    private Task<QueueInfo> ListedAsync(ManagementApi management) => ListedAsync(management, _queue);

    private static async Task<QueueInfo> ListedAsync(ManagementApi management, string queue)
    {
        var queues = await BrokerFixture.EventuallyAsync(
            () => management.ListPoolQueuesAsync(CancellationToken.None),
            queues => queues.Any(q => q.Name == queue),
            $"the management API lists {queue}");
        return queues.Single(q => q.Name == queue);
    }
}
