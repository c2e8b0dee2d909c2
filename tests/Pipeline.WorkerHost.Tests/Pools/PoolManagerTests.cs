using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Results;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Tests.Pools;

public sealed class PoolManagerTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(Worker), typeof(Solo), typeof(Warm), typeof(PoolFunctions)]);

    private readonly FakeTimeProvider _time = new();
    private readonly FakePoolTransport _transport = new();
    private readonly string _run = Guid.NewGuid().ToString("N");

    [Fact]
    public async Task EnsureAsync_ClassPool_RunsEnterBeforeConsumingTheQueue()
    {
        var manager = Create();
        var enteredBeforeConnect = false;
        _transport.OnConnect = _ => enteredBeforeConnect = PoolEvents.Of(_run).Contains("enter 0");

        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);

        Assert.True(enteredBeforeConnect);
        Assert.Single(_transport.Connected);
        Assert.True(manager.IsServing(Queue("worker", 0)));
    }

    [Fact]
    public async Task EnsureAsync_CpuFunctionPool_AdmitsUpToThePrefetchWhileClassPoolsAdmitWhatTheyRun()
    {
        var manager = Create();
        var function = new PoolDemanded { Queue = QueueNames.ForFunction("pools", nameof(PoolFunctions.AlwaysOn)), App = "pools", Function = nameof(PoolFunctions.AlwaysOn) };

        await manager.EnsureAsync(function, CancellationToken.None);
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);

        var plans = _transport.Plans.ToDictionary(p => p.Queue);
        var cpu = plans[function.Queue];
        Assert.Equal((16, 200), (cpu.Concurrency, cpu.Prefetch));
        Assert.Equal(200, cpu.AdmitLimit);
        Assert.True(cpu.InputLimit < cpu.AdmitLimit);
        var cls = plans[Queue("worker", 0)];
        Assert.Equal(cls.InputLimit, cls.AdmitLimit);
    }

    [Fact]
    public async Task EnsureAsync_SamePoolTwiceAtOnce_StartsOneContainer()
    {
        var manager = Create();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => manager.EnsureAsync(Demand("worker", 0), CancellationToken.None)));

        Assert.Single(_transport.Connected);
        Assert.Single(PoolEvents.Of(_run), "enter 0");
    }

    [Fact]
    public async Task EnsureAsync_GpuPoolOnCpuOnlyHost_NeverStarts()
    {
        var manager = Create();

        await manager.EnsureAsync(new PoolDemanded { Queue = QueueNames.ForFunction("pools", "on-gpu"), App = "pools", Function = "on-gpu" }, CancellationToken.None);

        Assert.Empty(_transport.Connected);
    }

    [Fact]
    public async Task EnsureAsync_NoticeWithWrongQueueOrUnknownTarget_IsIgnoredAndTheHostLives()
    {
        var manager = Create();

        await manager.EnsureAsync(Demand("worker", 0) with { Queue = "pools.worker.p-0000000000000000" }, CancellationToken.None);
        await manager.EnsureAsync(new PoolDemanded { Queue = "other.nope", App = "other", Function = "nope" }, CancellationToken.None);
        await manager.EnsureAsync(new PoolDemanded { Queue = "pools.elsewhere", App = "pools", Function = "nope" }, CancellationToken.None);
        await manager.EnsureAsync(Demand("worker", 0) with { Parameters = Json("{\"index\": 1}") }, CancellationToken.None);

        Assert.Empty(_transport.Connected);
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);
        Assert.Single(_transport.Connected);
    }

    [Theory]
    [InlineData("pools.nope", null, "nope")]
    [InlineData("pools.no-class", "no-class", null)]
    [InlineData("pools.no-class.p-0123456789abcdef", "no-class", null)]
    public async Task EnsureAsync_UnknownTargetOfAnAppServedHere_StartsOneContainerThatRunsNothing(string queue, string? cls, string? function)
    {
        var manager = Create();

        await manager.EnsureAsync(new PoolDemanded { Queue = queue, App = "pools", Class = cls, Function = function }, CancellationToken.None);

        // Its inputs then resolve to "no such function or class" in the handler and are rejected one by one.
        var plan = Assert.Single(_transport.Plans);
        Assert.Equal((queue, null, 1), (plan.Queue, plan.Class, plan.Concurrency));
        Assert.True(manager.IsServing(queue));
    }

    [Fact]
    public async Task EnsureAsync_NoFreeSlot_StopsTheLeastRecentlyUsedIdleContainerToMakeRoom()
    {
        var manager = Create(cpuSlots: 2);
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await manager.EnsureAsync(Demand("worker", 1), CancellationToken.None);

        await manager.EnsureAsync(Demand("worker", 2), CancellationToken.None);

        Assert.Equal(["enter 0", "enter 1", "exit 0", "enter 2"], PoolEvents.Of(_run));
        Assert.False(manager.IsServing(Queue("worker", 0)));
        Assert.True(manager.IsServing(Queue("worker", 2)));
    }

    [Fact]
    public async Task EnsureAsync_NoFreeSlotAllHeldByAScaledPool_OneIdleContainerOfItMakesRoomAndThePoolKeepsServing()
    {
        var manager = Create(cpuSlots: 3);
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);
        _transport.ExactReady[Queue("worker", 0)] = 10;
        await manager.ScaleAsync(new Dictionary<string, long> { [Queue("worker", 0)] = 10 }, CancellationToken.None);
        Assert.Equal(3, manager.Containers().Count(c => c.Queue == Queue("worker", 0)));

        await manager.EnsureAsync(Demand("worker", 1), CancellationToken.None);

        // Before, the whole idle pool stopped (three exits); now it gives back one container and keeps two.
        Assert.Equal(["enter 0", "enter 0", "enter 0", "exit 0", "enter 1"], PoolEvents.Of(_run));
        Assert.Equal(2, manager.Containers().Count(c => c.Queue == Queue("worker", 0)));
        Assert.True(manager.IsServing(Queue("worker", 1)));
    }

    [Fact]
    public async Task EnsureAsync_MaxContainersLeaseHeldElsewhere_DoesNotStartAndKeepsTheSlot()
    {
        var manager = Create(cpuSlots: 1);
        var solo = Demand("solo");
        _transport.HoldLease(solo.Queue);

        await manager.EnsureAsync(solo, CancellationToken.None);
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);

        Assert.DoesNotContain("enter solo", PoolEvents.Of(_run));
        Assert.True(manager.IsServing(Queue("worker", 0)));
    }

    [Fact]
    public async Task LeaseLost_StopsThePoolAndRunsExit()
    {
        var manager = Create();
        await manager.EnsureAsync(Demand("solo"), CancellationToken.None);

        await _transport.LeaseLost.CancelAsync();
        await WaitUntilAsync(() => PoolEvents.Of(_run).Contains("exit solo"));

        Assert.False(manager.IsServing(Demand("solo").Queue));
    }

    [Fact]
    public async Task EndpointLost_EveryPoolRunsExitStopsConsumingAndEntersAFreshContainerWhenAskedAgain()
    {
        var manager = Create();
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);
        await manager.EnsureAsync(Demand("worker", 1), CancellationToken.None);

        await _transport.ConnectionLost.CancelAsync();
        await WaitUntilAsync(() => PoolEvents.Of(_run).Contains("exit 0") && PoolEvents.Of(_run).Contains("exit 1"));
        await WaitUntilAsync(() => !manager.IsServing(Queue("worker", 0)) && !manager.IsServing(Queue("worker", 1)));
        _transport.ConnectionLost = new();
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);

        Assert.Contains(Queue("worker", 0), _transport.Stopped);
        Assert.Contains(Queue("worker", 1), _transport.Stopped);
        Assert.Equal(2, PoolEvents.Of(_run).Count(e => e == "enter 0"));
        Assert.True(manager.IsServing(Queue("worker", 0)));
    }

    [Fact]
    public async Task EnsureAsync_StartCancelledByShutdownAfterEnter_RunsExitAndTheHostStopsWithoutThrowing()
    {
        var manager = Create();
        using var shutdown = new CancellationTokenSource();
        _transport.OnConnect = _ =>
        {
            shutdown.Cancel();
            throw new OperationCanceledException(shutdown.Token);
        };

        await manager.EnsureAsync(Demand("worker", 0), shutdown.Token);
        await manager.StopAsync(CancellationToken.None);

        Assert.Equal(["enter 0", "exit 0"], PoolEvents.Of(_run));
        Assert.False(manager.IsServing(Queue("worker", 0)));
    }

    [Fact]
    public async Task ScaleDownIdleAsync_AfterTheWindow_StopsIdleContainersButKeepsMinContainers()
    {
        var manager = Create();
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);
        await manager.EnsureAsync(Demand("warm"), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(9));
        await manager.ScaleDownIdleAsync(CancellationToken.None);
        Assert.True(manager.IsServing(Queue("worker", 0)));
        _time.Advance(TimeSpan.FromSeconds(1));
        await manager.ScaleDownIdleAsync(CancellationToken.None);

        Assert.False(manager.IsServing(Queue("worker", 0)));
        Assert.True(manager.IsServing(Demand("warm").Queue));
        Assert.Equal(["enter 0", "exit 0"], PoolEvents.Of(_run));
        Assert.Contains(Queue("worker", 0), _transport.Stopped);
    }

    [Fact]
    public async Task StopAsync_WhileAScaleDownIsUnderWay_LetsItFinishWithinTheGraceAndWaitsForItsExit()
    {
        var manager = Create();
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);
        _transport.StopGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _time.Advance(TimeSpan.FromSeconds(10));
        using var autoscaler = new CancellationTokenSource();
        var scaling = manager.ScaleDownIdleAsync(autoscaler.Token);
        await PollAsync(() => !_transport.Stopping.IsEmpty, "the scale-down began to stop the pool");

        // The host begins to stop: the autoscaler's token fires, then every pool is stopped.
        await autoscaler.CancelAsync();
        var stopping = manager.StopAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);
        Assert.False(stopping.IsCompleted, "shutdown returned while a scale-down was still stopping a pool");
        _transport.StopGate.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(15), TimeProvider.System);
        await scaling.WaitAsync(TimeSpan.FromSeconds(15), TimeProvider.System);

        Assert.Empty(_transport.StopsCancelled);
        Assert.Equal(["enter 0", "exit 0"], PoolEvents.Of(_run));
    }

    [Fact]
    public async Task StopAsync_StopsConsumingThenRunsEveryExitOnceAndRefusesNewPools()
    {
        var manager = Create();
        await manager.EnsureAsync(Demand("worker", 0), CancellationToken.None);
        await manager.EnsureAsync(Demand("worker", 1), CancellationToken.None);

        await manager.StopAsync(CancellationToken.None);
        await manager.StopAsync(CancellationToken.None);
        await manager.EnsureAsync(Demand("worker", 2), CancellationToken.None);

        Assert.Equal(2, _transport.Stopped.Count);
        Assert.Single(PoolEvents.Of(_run), "exit 0");
        Assert.Single(PoolEvents.Of(_run), "exit 1");
        Assert.DoesNotContain("enter 2", PoolEvents.Of(_run));
    }

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not true within 15 s of real time: {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }

    internal PoolManager Create(int cpuSlots = 8, IReadOnlyList<GpuDevice>? gpus = null) => new(
        Registry,
        _transport,
        new SlotInventory(cpuSlots, gpus ?? []),
        new InvocationHandler(Registry, new CallCancellations(_time), _time, NullLogger<InvocationHandler>.Instance),
        new InMemoryResultStore(_time),
        new HoldingRetryScheduler(_time),
        TestReplies.Create(),
        _time,
        Options.Create(new WorkerOptions { ExitGracePeriod = TimeSpan.FromSeconds(30) }),
        NullLoggerFactory.Instance);

    private PoolDemanded Demand(string cls, int? index = null)
    {
        var json = index is null ? $"{{\"run\": \"{_run}\"}}" : $"{{\"run\": \"{_run}\", \"index\": {index}}}";
        var parameters = Registry.FindClass("pools", cls)!.Schema.BindJson(Json(json));
        return new PoolDemanded { Queue = QueueNames.ForClass("pools", cls, parameters), App = "pools", Class = cls, Parameters = Json(json) };
    }

    private string Queue(string cls, int index) => Demand(cls, index).Queue;

    private static System.Text.Json.JsonElement Json(string text) => System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await poll.WaitForNextTickAsync();
        }
    }
}
