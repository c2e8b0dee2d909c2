using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
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
    private readonly InvocationHandler _handler;
    private readonly string _name = Guid.NewGuid().ToString("N");

    public ContainerSlotTests()
    {
        _handler = new InvocationHandler(Registry, new CallCancellations(_time), _time, NullLogger<InvocationHandler>.Instance);
    }

    [Fact]
    public async Task AcquireAsync_AfterAnAttemptStuckPastItsTimeout_EntersAFreshContainerAndNeverExitsTheStuckOne()
    {
        using var slot = CreateSlot();
        try
        {
            var first = await slot.AcquireAsync();
            var stuck = await RunAsync(first, "block");
            Assert.Equal(InvocationStatus.TimedOut, stuck.Status);

            var acquiring = slot.AcquireAsync();
            await AdvanceUntilDoneAsync(acquiring);
            var next = await acquiring;

            Assert.NotSame(first, next);
            Assert.True(first.IsBroken);
            Assert.Equal(ContainerState.Ready, next.State);
            Assert.Equal(2, StuckModel.Entered(_name));

            // The fresh container serves; the broken one's exit never runs, even when the pool stops.
            var served = await RunAsync(next, "echo", advance: false);
            Assert.Equal((InvocationStatus.Succeeded, _name), (served.Status, served.Value!.Value.GetString()));
            await slot.StopAsync(TimeSpan.FromSeconds(30));
            await first.StopAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, StuckModel.Exited(_name));
        }
        finally
        {
            StuckModel.Open(_name);
        }
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

    private ContainerSlot CreateSlot()
    {
        var cls = Registry.FindClass("stuck", "stuck-model")!;
        var parameters = cls.Schema.Bind([new("name", _name)]);
        var queue = QueueNames.ForClass("stuck", "stuck-model", parameters);
        return new ContainerSlot(queue, () => new Container(queue, cls, parameters, _time, NullLogger.Instance), _time, TimeSpan.FromSeconds(5), concurrency: 1);
    }

    // Runs one input of the method on the container, advancing the clock until it is reported when asked.
    private async Task<InvocationCompleted> RunAsync(Container container, string method, bool advance = true)
    {
        var message = new RunInvocation
        {
            CallId = "fc-" + Guid.NewGuid().ToString("N"),
            App = "stuck",
            Class = "stuck-model",
            Function = method,
            Parameters = JsonSerializer.SerializeToElement(new { name = _name }),
            Attempt = 1,
        };
        var handling = Task.Run(() => _handler.HandleAsync(container, message, CancellationToken.None));
        if (advance)
        {
            await AdvanceUntilDoneAsync(handling);
        }

        return (await handling.WaitAsync(TimeSpan.FromSeconds(30))).Outcome;
    }

    private async Task AdvanceUntilDoneAsync(Task task)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "Not done within 15 s of real time.");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
