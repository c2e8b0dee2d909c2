using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Consumers.Tests.Infrastructure;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;

namespace Pipeline.Consumers.Tests.Lifecycle;

/// <summary>
/// A container whose timed-out attempt is still running takes no further input: past the grace it is broken, and the
/// next input gets a freshly entered container. One whose code honoured its token goes on serving.
/// </summary>
public sealed class ContainerSlotTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(StuckModel)]);

    private readonly FakeTimeProvider _time = new();
    private readonly CallCancellations _cancellations;
    private readonly InvocationHandler _handler;
    // A grace well past the 1 s steps the clock takes while a timed-out attempt winds down in real time.
    private readonly StuckAttempts _stuck = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
    private readonly string _name = Guid.NewGuid().ToString("N");

    public ContainerSlotTests()
    {
        _cancellations = new CallCancellations(_time);
        _handler = new InvocationHandler(Registry, _cancellations, _time, NullLogger<InvocationHandler>.Instance);
    }

    [Fact]
    public async Task AcquireAsync_AfterAnAttemptStuckPastItsTimeout_EntersAFreshContainerAndExitsTheStuckOneOnlyWhenItReturns()
    {
        using var slot = CreateSlot();
        try
        {
            var first = await slot.AcquireAsync();
            var stuck = await RunAsync(first, "block");
            Assert.Equal(InvocationStatus.TimedOut, stuck.Status);

            var acquiring = slot.AcquireAsync();
            await _time.AdvanceUntilDoneAsync(acquiring, "the container did not finish.");
            var next = await acquiring;

            Assert.NotSame(first, next);
            Assert.True(first.IsBroken);
            Assert.True(first.IsStuck);
            Assert.Equal(ContainerState.Ready, next.State);
            Assert.Equal(2, StuckModel.Entered(_name));

            // The fresh container serves; the stuck one's exit waits for its attempt, even when the pool stops.
            var served = await RunAsync(next, "echo", advance: false);
            Assert.Equal((InvocationStatus.Succeeded, _name), (served.Status, served.Value!.Value.GetString()));
            await slot.StopAsync(TimeSpan.FromSeconds(30));
            await first.StopAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, StuckModel.Exited(_name));
            Assert.Single(_stuck.Now);

            StuckModel.Open(_name);
            await PollAsync(() => StuckModel.Exited(_name) == 2, "the stuck container's exit ran once its attempt returned");
            await PollAsync(() => _stuck.Now.Count == 0, "the stuck attempt is no longer reported");
        }
        finally
        {
            StuckModel.Open(_name);
        }
    }

    [Fact]
    public async Task Abandon_AttemptRunsPastTheGrace_MarksTheContainerStuckBeforeAnyOtherInputComes()
    {
        using var slot = CreateSlot();
        try
        {
            var first = await slot.AcquireAsync();
            var callId = NewCallId();
            var outcome = await RunAsync(first, "block", callId: callId);
            Assert.Equal(InvocationStatus.TimedOut, outcome.Status);

            // No other input comes: the grace alone marks it.
            _time.Advance(_stuck.Grace);
            await PollAsync(() => first.IsStuck, "the container was marked stuck at the end of the grace");

            Assert.True(first.IsBroken);
            var report = Assert.Single(_stuck.Now);
            Assert.Equal((first.Id, first.Queue), (report.ContainerId, report.Queue));
            Assert.Contains(callId, report.What, StringComparison.Ordinal);
            Assert.Contains("stuck-model.block", report.What, StringComparison.Ordinal);
            Assert.Equal(0, StuckModel.Exited(_name));
        }
        finally
        {
            StuckModel.Open(_name);
        }
    }

    [Fact]
    public async Task AcquireAsync_AfterACancelThatTerminatesTheContainer_EntersAFreshOneAndExitsTheOld()
    {
        using var slot = CreateSlot();
        var first = await slot.AcquireAsync();
        var callId = NewCallId();

        var running = Task.Run(() => RunAsync(first, "honour", advance: false, callId: callId));
        await PollAsync(() => TryCancel(callId), "the call started, and was cancelled");
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(30));
        var next = await slot.AcquireAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(InvocationStatus.Cancelled, outcome.Status);
        Assert.True(first.IsBroken);
        Assert.False(first.IsStuck);
        Assert.NotSame(first, next);
        Assert.Equal(ContainerState.Ready, next.State);
        await PollAsync(() => StuckModel.Exited(_name) == 1, "the terminated container ran exit");
        Assert.Empty(_stuck.Now);
    }

    [Fact]
    public async Task AcquireAsync_AfterATimeoutTheCodeHonoured_KeepsTheSameContainer()
    {
        using var slot = CreateSlot();
        var first = await slot.AcquireAsync();

        var result = await RunAsync(first, "honour");
        var next = await slot.AcquireAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(InvocationStatus.TimedOut, result.Status);
        Assert.Same(first, next);
        Assert.False(first.IsBroken);
        Assert.Equal(1, StuckModel.Entered(_name));
    }

    [Fact]
    public async Task Abandon_CodeThatStopsByThrowingItsOwnTimeoutException_IsNotStuck()
    {
        using var slot = CreateSlot();
        var first = await slot.AcquireAsync();

        var result = await RunAsync(first, "throw-timeout");
        // The fake clock moves only when told: let the attempt end (it does at once, in real time) before the grace passes.
        Assert.True(await first.SettleAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        _time.Advance(_stuck.Grace * 2);
        var next = await slot.AcquireAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(InvocationStatus.TimedOut, result.Status);
        Assert.Same(first, next);
        Assert.False(first.IsStuck);
        Assert.Empty(_stuck.Now);
    }

    private ContainerSlot CreateSlot()
    {
        var cls = Registry.FindClass("stuck", "stuck-model")!;
        var parameters = cls.Schema.Bind([new("name", _name)]);
        var queue = QueueNames.ForClass("stuck", "stuck-model", parameters);
        return new ContainerSlot(queue, () => new Container(queue, cls, parameters, _time, NullLogger.Instance) { Stuck = _stuck }, _time, TimeSpan.FromSeconds(5), concurrency: 1);
    }

    // Runs one input of the method on the container, advancing the clock until it is reported when asked.
    private async Task<InvocationCompleted> RunAsync(Container container, string method, bool advance = true, string? callId = null)
    {
        var message = new RunInvocation
        {
            CallId = callId ?? NewCallId(),
            App = "stuck",
            Class = "stuck-model",
            Function = method,
            Parameters = JsonSerializer.SerializeToElement(new { name = _name }),
            Attempt = 1,
        };
        var handling = Task.Run(() => _handler.HandleAsync(container, message, CancellationToken.None));
        if (advance)
        {
            await _time.AdvanceUntilDoneAsync(handling, "the container did not finish.");
        }

        return (await handling.WaitAsync(TimeSpan.FromSeconds(30))).Outcome;
    }

    private static string NewCallId() => "fc-" + Guid.NewGuid().ToString("N");

    private static async Task PollAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not true within 15 s of real time: {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }

    // Cancels the call (terminating its container) once its attempt has started: before that, the cancel would only
    // drop the input.
    private bool TryCancel(string callId)
    {
        if (StuckModel.Honouring(_name) == 0)
        {
            return false;
        }

        _cancellations.Cancel(callId, terminateContainers: true);
        return true;
    }
}
