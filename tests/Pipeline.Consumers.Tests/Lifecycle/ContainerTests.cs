using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Consumers.Tests.Infrastructure;
using Pipeline.Messages.Naming;

namespace Pipeline.Consumers.Tests.Lifecycle;

public sealed class ContainerTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover(
        [typeof(OrderedModel), typeof(FailingEnterModel), typeof(SlowExitModel), typeof(ThrowingExitModel), typeof(BlockingHookModel)]);

    private readonly FakeTimeProvider _time = new();
    private readonly string _run = Guid.NewGuid().ToString("N");

    [Fact]
    public async Task StartAsync_SeveralHooks_RunBaseClassFirstThenDeclarationOrderAndSetParametersBefore()
    {
        var container = Create("ordered-model");

        Assert.True(await container.StartAsync(CancellationToken.None));

        Assert.Equal(ContainerState.Ready, container.State);
        Assert.Equal(["base-enter", "enter-async", "enter-sync"], HookLog.Of(_run));
        Assert.Equal(_run, ((OrderedModel)container.Instance!).Run);
    }

    [Fact]
    public async Task StartAsync_CalledConcurrently_RunsEnterOnce()
    {
        var container = Create("ordered-model");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => container.StartAsync(CancellationToken.None)));

        Assert.All(results, Assert.True);
        Assert.Single(HookLog.Of(_run), "base-enter");
    }

    [Fact]
    public async Task StopAsync_AfterEnter_RunsExitHooksOnceInDeclarationOrderBaseFirst()
    {
        var container = Create("ordered-model");
        await container.StartAsync(CancellationToken.None);

        await container.StopAsync(TimeSpan.FromSeconds(30));
        await container.StopAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ContainerState.Stopped, container.State);
        Assert.Equal(["base-exit", "exit-async", "exit-sync"], HookLog.Of(_run).Where(e => e.Contains("exit", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StartAsync_EnterThrows_FailsContainerWithErrorAndSkipsLaterEnterHooks()
    {
        var container = Create("failing-enter-model");

        Assert.False(await container.StartAsync(CancellationToken.None));

        Assert.Equal(ContainerState.Failed, container.State);
        Assert.Equal(typeof(FileNotFoundException).FullName, container.EnterError!.Type);
        Assert.Equal("weights.bin is missing", container.EnterError.Message);
        Assert.Contains(nameof(FailingEnterModel.Load), container.EnterError.StackTrace, StringComparison.Ordinal);
        Assert.Equal(["enter"], HookLog.Of(_run));
    }

    [Fact]
    public async Task StopAsync_AfterFailedEnter_DoesNotRunExit()
    {
        var container = Create("failing-enter-model");
        await container.StartAsync(CancellationToken.None);

        await container.StopAsync(TimeSpan.FromSeconds(30));

        Assert.DoesNotContain("exit", HookLog.Of(_run));
        Assert.Equal(ContainerState.Stopped, container.State);
    }

    [Fact]
    public async Task StopAsync_NeverStarted_RunsNoHooks()
    {
        var container = Create("ordered-model");

        await container.StopAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(HookLog.Of(_run));
    }

    [Fact]
    public async Task StopAsync_ExitOutlastsGracePeriod_CancelsItsTokenAndReturnsAtTheDeadline()
    {
        var container = Create("slow-exit-model");
        await container.StartAsync(CancellationToken.None);

        var stop = container.StopAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => HookLog.Of(_run).Contains("exit-started"));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(stop.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ContainerState.Stopped, container.State);
        await WaitUntilAsync(() => HookLog.Of(_run).Contains("exit-cancelled"));
    }

    [Fact]
    public async Task StopAsync_ExitHookThrows_SkipsLaterExitHooks()
    {
        var container = Create("throwing-exit-model");
        await container.StartAsync(CancellationToken.None);

        await container.StopAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["first-exit"], HookLog.Of(_run));
        Assert.Equal(ContainerState.Stopped, container.State);
    }

    [Fact]
    public async Task StartAsync_SyncEnterBlocksPastTheClassTimeout_FailsTheContainerAtTheDeadline()
    {
        var run = "enter-" + _run;
        var container = Create("blocking-hook-model", run);
        try
        {
            // Off the test's thread: a hook run inline would hold it, and the test must fail, not hang.
            var starting = Task.Run(() => container.StartAsync(CancellationToken.None));
            await _time.AdvanceUntilDoneAsync(starting, "the deadline did not fire while the hook ran.");

            Assert.False(await starting);
            Assert.Equal(ContainerState.Failed, container.State);
            Assert.Contains("did not finish within the class Timeout of 5 s", container.EnterError!.Message, StringComparison.Ordinal);
        }
        finally
        {
            BlockingHookModel.Open(run);
        }
    }

    [Fact]
    public async Task StopAsync_SyncExitBlocksPastTheGrace_StopsAtTheGrace()
    {
        var run = "exit-" + _run;
        var container = Create("blocking-hook-model", run);
        try
        {
            Assert.True(await container.StartAsync(CancellationToken.None));

            var stopping = Task.Run(() => container.StopAsync(TimeSpan.FromSeconds(30)));
            await _time.AdvanceUntilDoneAsync(stopping, "the deadline did not fire while the hook ran.");
            await stopping;

            Assert.Equal(ContainerState.Stopped, container.State);
        }
        finally
        {
            BlockingHookModel.Open(run);
        }
    }

    private Container Create(string cls, string run)
    {
        var definition = Registry.FindClass("lifecycle", cls)!;
        var parameters = definition.Schema.Bind([new("run", run)]);
        return new Container(QueueNames.ForClass("lifecycle", cls, parameters), definition, parameters, _time, NullLogger.Instance);
    }

    private Container Create(string cls)
    {
        var definition = Registry.FindClass("lifecycle", cls)!;
        var parameters = definition.Schema.Bind([new("run", _run)]);
        return new Container(QueueNames.ForClass("lifecycle", cls, parameters), definition, parameters, _time, NullLogger.Instance);
    }

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
