using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;
using Pipeline.Results;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// Forms pools on demand: builds the container, runs its <c>enter</c> hooks, and only then consumes the pool's queue.
/// On stop, stops consuming (in-flight inputs finish), then runs every container's <c>exit</c> within the grace period.
/// </summary>
internal sealed class PoolManager(
    AppRegistry registry,
    IReceiveEndpointConnector connector,
    InvocationHandler handler,
    IResultStore results,
    TimeProvider time,
    IOptions<WorkerOptions> options,
    ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Pool>>> _pools = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<PoolManager>();
    private volatile bool _stopping;

    public IReadOnlyCollection<string> Queues => _pools.Keys.ToList();

    /// <summary>Starts the pool a notice names, unless it runs already. A notice that names nothing known is logged and dropped.</summary>
    public async Task EnsureAsync(PoolDemanded demand, CancellationToken cancellationToken)
    {
        if (_stopping || _pools.ContainsKey(demand.Queue))
        {
            return;
        }

        Func<Container> create;
        try
        {
            create = Plan(demand);
        }
        catch (Exception e) when (e is UnknownTargetException or ParameterException or ArgumentException)
        {
            Log.DemandIgnored(_logger, demand.Queue, e.Message);
            return;
        }

        var pool = _pools.GetOrAdd(demand.Queue, queue => new Lazy<Task<Pool>>(() => StartAsync(queue, create)));
        await pool.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops consuming every pool, lets in-flight inputs finish, then runs exit hooks, all within the grace period.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var grace = options.Value.ExitGracePeriod;
        var pools = new List<Pool>();
        foreach (var entry in _pools.Values)
        {
            try
            {
                pools.Add(await entry.Value.ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A pool that never started has nothing to stop.
            }
        }

        Log.Stopping(_logger, pools.Count, grace.TotalSeconds);
        await Task.WhenAll(pools.Select(p => p.Endpoint.StopAsync(cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(pools.Select(p => p.Slot.StopAsync(grace))).ConfigureAwait(false);
        foreach (var pool in pools)
        {
            pool.Slot.Dispose();
        }

        _pools.Clear();
    }

    private Func<Container> Plan(PoolDemanded demand)
    {
        var containerLogger = loggers.CreateLogger<Container>();
        if (demand.Class is null)
        {
            var function = registry.Resolve(demand.App, null, demand.Function ?? "");
            var queue = QueueNames.ForFunction(function.App, function.Name);
            Check(demand, queue);
            return () => new Container(queue, null, ParameterSet.Empty, time, containerLogger);
        }

        var cls = registry.FindClass(demand.App, demand.Class)
            ?? throw new UnknownTargetException($"No class '{demand.Class}' in app '{demand.App}' here.");
        var parameters = cls.Schema.BindJson(demand.Parameters);
        var classQueue = QueueNames.ForClass(cls.App, cls.Name, parameters);
        Check(demand, classQueue);
        return () => new Container(classQueue, cls, parameters, time, containerLogger);
    }

    private static void Check(PoolDemanded demand, string expected)
    {
        if (demand.Queue != expected)
        {
            throw new ArgumentException($"the notice names queue '{demand.Queue}' but its target and parameters make '{expected}'.");
        }
    }

    private async Task<Pool> StartAsync(string queue, Func<Container> create)
    {
        var settings = options.Value;
        var slot = new ContainerSlot(queue, create, time, settings.EnterRestartBackoff);
        Log.PoolStarting(_logger, queue, slot.Current.Parameters.ToString());

        // enter runs before the queue is consumed: no input waits behind a container that is not ready.
        await slot.AcquireAsync().ConfigureAwait(false);
        var isClass = slot.Current.Instance is not null || slot.Current.Parameters.Count > 0;
        var handle = connector.ConnectReceiveEndpoint(queue, (_, endpoint) =>
        {
            endpoint.ConcurrentMessageLimit = isClass ? 1 : settings.FunctionConcurrency;
            endpoint.Consumer(() => new InvocationConsumer(slot, handler, results));
        });
        await handle.Ready.ConfigureAwait(false);
        Log.PoolConsuming(_logger, queue);
        return new Pool(queue, slot, handle);
    }
}
