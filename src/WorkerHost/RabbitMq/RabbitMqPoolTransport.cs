using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Replies;
using Pipeline.RabbitMq;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.RabbitMq;

/// <summary>
/// Pools on RabbitMQ: each pool queue is declared durable with its app, target and decoded parameters as queue
/// arguments (what an operator reads in the management UI, and what lets any host rebuild the pool), leases are
/// exclusive queues that vanish with a dead host's connection, and the management API lists pools with backlog.
/// </summary>
internal sealed class RabbitMqPoolTransport(
    IReceiveEndpointConnector connector,
    BrokerTopology topology,
    ManagementApi management,
    IOptions<RabbitMqOptions> options,
    ReplySender replies,
    TimeProvider time,
    ILoggerFactory loggers) : MassTransitPoolTransport(connector, replies, time, loggers)
{
    public override async Task<IPoolEndpoint> ConnectAsync(PoolPlan plan, Func<Uri, InvocationConsumer> consumer, CancellationToken cancellationToken)
    {
        // The pool's queue and its _error queue exist with the configured type before anything is consumed or
        // dead-lettered, whoever published first (a raw AMQP publisher need not have declared _error).
        await topology.DeclarePoolAsync(plan.Demand, cancellationToken).ConfigureAwait(false);
        return await base.ConnectAsync(plan, consumer, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IPoolLease?> TryLeaseAsync(string queue, int max, IReadOnlyList<int> gpus, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [PoolQueueArguments.LeaseHost] = HostName,
            [PoolQueueArguments.LeaseGpus] = string.Join(',', gpus),
        };
        var lease = await topology.TryAcquireLeaseAsync(queue, max, cancellationToken, labels).ConfigureAwait(false);
        return lease is null ? null : new Lease(lease);
    }

    public override async Task<IReadOnlyList<PoolQueueState>> ListPoolsAsync(CancellationToken cancellationToken)
    {
        var queues = await management.ListPoolQueuesAsync(cancellationToken).ConfigureAwait(false);
        var pools = new List<PoolQueueState>(queues.Count);
        foreach (var queue in queues)
        {
            if (PoolQueueArguments.TryRead(queue.Name, queue.Arguments) is { } demand)
            {
                pools.Add(new PoolQueueState(queue.Name, demand, queue.Ready, queue.Messages, queue.Consumers, queue.IdleSince));
            }
        }

        return pools;
    }

    public override async Task<long?> ReadyAsync(string queue, CancellationToken cancellationToken) =>
        (await topology.PeekAsync(queue, cancellationToken).ConfigureAwait(false))?.Ready;

    public override Task<bool> DeleteIdleAsync(string queue, CancellationToken cancellationToken) =>
        topology.DeleteIdlePoolAsync(queue, cancellationToken);

    // To the exchange the topology bound to <queue>_error: a send to queue:<queue>_error would redeclare that queue
    // as classic and fail against a quorum one.
    protected override Uri DeadLetterAddress(string queue) => new($"exchange:{PoolQueueArguments.ErrorQueue(queue)}");

    protected override Func<Task>? Configure(IReceiveEndpointConfigurator endpoint, PoolPlan plan)
    {
        if (endpoint is not IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            return null;
        }

        // The same arguments a client declares, so whoever declares first, the queue reads the same.
        foreach (var (key, value) in PoolQueueArguments.For(plan.Demand, options.Value))
        {
            if (value is not null)
            {
                rabbit.SetQueueArgument(key, value);
            }
        }

        if (options.Value.QueueType == RabbitMqQueueType.Quorum)
        {
            rabbit.SetQuorumQueue();
        }

        rabbit.PublishFaults = false;


        // A valid envelope of a type no pool takes goes to _error with Pipeline's reason headers too.
        var deadLetter = new ReasonedDeadLetterFilter(plan.Queue, Replies, Time, Loggers.CreateLogger<ReasonedDeadLetterFilter>());
        rabbit.ConfigureDeadLetter(pipe => pipe.UseFilter(deadLetter));

        // Inputs the stop left unsettled (cut at the end of the drain, or never run) go back to the queue even while the
        // connection stays up: the endpoint's channel is closed once its stop has ended.
        var channel = new PoolChannel(plan.Queue, Loggers.CreateLogger<PoolChannel>());
        rabbit.UseFilter(channel);
        return channel.CloseAsync;
    }

    // What pipeline pools shows for a container's host: the machine and the process.
    private static readonly string HostName = $"{Environment.MachineName}:{Environment.ProcessId}";

    private sealed class Lease(BrokerLease lease) : IPoolLease
    {
        public int Slot => lease.Slot;

        public CancellationToken Lost => lease.Lost;

        public ValueTask DisposeAsync() => lease.DisposeAsync();
    }
}
