using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Results;
using Pipeline.WorkerHost.Metrics;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Tests.Pools;

public sealed class PoolReconcilerTests : IDisposable
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(Worker), typeof(Solo), typeof(Warm), typeof(PoolFunctions)]);

    private readonly FakeTimeProvider _time = new();
    private readonly FakePoolTransport _transport = new();
    private readonly PoolBacklog _backlog = new();
    private readonly string _run = Guid.NewGuid().ToString("N");
    private readonly PoolManager _pools;
    private readonly PoolReconciler _reconciler;

    public PoolReconcilerTests()
    {
        var options = Options.Create(new WorkerOptions { QueueIdleTimeout = TimeSpan.FromMinutes(10) });
        _pools = new PoolManager(
            Registry,
            _transport,
            new SlotInventory(8, []),
            new InvocationHandler(Registry, new CallCancellations(_time), _time, NullLogger<InvocationHandler>.Instance),
            new InMemoryResultStore(_time),
            new HoldingRetryScheduler(_time),
            TestReplies.Create(),
            _time,
            options,
            NullLoggerFactory.Instance);
        _reconciler = new PoolReconciler(_pools, _transport, _backlog, Registry, _time, options, NullLogger<PoolReconciler>.Instance);
    }

    [Fact]
    public async Task ReconcileOnceAsync_QueueWithInputAndNoContainer_StartsThePoolWithoutANotice()
    {
        var demand = Demand(0);
        _transport.Listed.Add(new PoolQueueState(demand.Queue, demand, Ready: 3, Messages: 3, Consumers: 0, IdleSince: null));
        _transport.ExactReady[demand.Queue] = 3;

        await _reconciler.ReconcileOnceAsync(CancellationToken.None);

        Assert.True(_pools.IsServing(demand.Queue));
        Assert.Contains("enter 0", PoolEvents.Of(_run));
    }

    [Fact]
    public async Task ReconcileOnceAsync_ListedPools_KeepsTheirBacklogForTheMetricsAndReportsTheStartedPoolIdle()
    {
        var demand = Demand(0);
        _transport.Listed.Add(new PoolQueueState(demand.Queue, demand, Ready: 7, Messages: 9, Consumers: 0, IdleSince: null));
        _transport.ExactReady[demand.Queue] = 7;

        await _reconciler.ReconcileOnceAsync(CancellationToken.None);

        var listed = Assert.Single(_backlog.Pools);
        Assert.Equal((demand.Queue, 7L), (listed.Queue, listed.Ready));
        Assert.Contains(new PoolActivity(demand.Queue, "idle", 0), _pools.Activity());
    }

    [Fact]
    public async Task ReconcileOnceAsync_StaleListSaysReadyButExactCountIsZero_DoesNotStartThePool()
    {
        var demand = Demand(0);
        _transport.Listed.Add(new PoolQueueState(demand.Queue, demand, Ready: 1, Messages: 1, Consumers: 0, IdleSince: null));
        _transport.ExactReady[demand.Queue] = 0;

        await _reconciler.ReconcileOnceAsync(CancellationToken.None);

        Assert.False(_pools.IsServing(demand.Queue));
    }

    [Fact]
    public async Task ReconcileOnceAsync_QueueOfAnAppNotServedHere_IsLeftAlone()
    {
        var demand = new PoolDemanded { Queue = "other.thing", App = "other", Function = "thing" };
        _transport.Listed.Add(new PoolQueueState(demand.Queue, demand, 5, 5, 0, _time.GetUtcNow() - TimeSpan.FromHours(1)));
        _transport.ExactReady[demand.Queue] = 5;

        await _reconciler.ReconcileOnceAsync(CancellationToken.None);

        Assert.Empty(_transport.Deleted);
        Assert.False(_pools.IsServing(demand.Queue));
    }

    [Fact]
    public async Task ReconcileOnceAsync_EmptyUnusedQueueIdleLongEnough_IsDeletedButNotBefore()
    {
        var idle = Demand(1);
        var recent = Demand(2);
        var withMessages = Demand(3);
        _transport.Listed.Add(new PoolQueueState(idle.Queue, idle, 0, 0, 0, _time.GetUtcNow() - TimeSpan.FromMinutes(11)));
        _transport.Listed.Add(new PoolQueueState(recent.Queue, recent, 0, 0, 0, _time.GetUtcNow() - TimeSpan.FromMinutes(9)));
        _transport.Listed.Add(new PoolQueueState(withMessages.Queue, withMessages, 0, 2, 0, _time.GetUtcNow() - TimeSpan.FromMinutes(60)));

        await _reconciler.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal([idle.Queue], _transport.Deleted);
    }

    [Fact]
    public async Task ReconcileOnceAsync_FunctionWithMinContainers_IsKeptRunning()
    {
        await _reconciler.ReconcileOnceAsync(CancellationToken.None);

        Assert.True(_pools.IsServing(QueueNames.ForFunction("pools", "always-on")));
    }

    [Fact]
    public async Task ReconcileOnceAsync_IdlePastScaledownWindow_ScalesTheContainerDown()
    {
        var demand = Demand(0);
        await _pools.EnsureAsync(demand, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(10));
        await _reconciler.ReconcileOnceAsync(CancellationToken.None);

        Assert.False(_pools.IsServing(demand.Queue));
        Assert.Contains("exit 0", PoolEvents.Of(_run));
    }

    public void Dispose() => _reconciler.Dispose();

    private PoolDemanded Demand(int index)
    {
        var json = System.Text.Json.JsonDocument.Parse($"{{\"run\": \"{_run}\", \"index\": {index}}}").RootElement.Clone();
        var parameters = Registry.FindClass("pools", "worker")!.Schema.BindJson(json);
        return new PoolDemanded { Queue = QueueNames.ForClass("pools", "worker", parameters), App = "pools", Class = "worker", Parameters = json };
    }
}
