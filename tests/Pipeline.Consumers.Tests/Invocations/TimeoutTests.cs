using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Consumers.Tests.Infrastructure;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Tests.Invocations;

/// <summary>
/// A per-attempt timeout fires at its deadline whatever the code does: a synchronous function that blocks, an async
/// one that blocks before its first await, or one that never looks at its token. Each function here blocks until the
/// test opens its gate, which every test does at its end.
/// </summary>
public sealed class TimeoutTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(StuckSamples)]);

    private readonly FakeTimeProvider _time = new();
    private readonly InvocationHandler _handler;

    public TimeoutTests()
    {
        _handler = new InvocationHandler(Registry, new CallCancellations(_time), _time, NullLogger<InvocationHandler>.Instance);
    }

    [Theory]
    [InlineData("block")]
    [InlineData("block-then-await")]
    [InlineData("ignore-token")]
    public async Task HandleAsync_CodeRunsPastTimeoutIgnoringIt_IsTimedOutAtTheDeadlineWhileItStillRuns(string function)
    {
        var key = Guid.NewGuid().ToString("N");
        using var gate = StuckSamples.Gate(key);
        var container = new Container(QueueNames.ForFunction("stuck", function), null, ParameterSet.Empty, _time, NullLogger.Instance);
        await container.StartAsync(CancellationToken.None);
        var message = new RunInvocation
        {
            CallId = "fc-" + Guid.NewGuid().ToString("N"),
            App = "stuck",
            Function = function,
            Args = JsonSerializer.SerializeToElement(new[] { key }),
            Attempt = 1,
        };

        // Off the test's thread: before the fix a blocking function held the caller's thread, and the test must fail, not hang.
        var handling = Task.Run(() => _handler.HandleAsync(container, message, CancellationToken.None));
        await _time.AdvanceUntilDoneAsync(handling, "the attempt was not reported: its timeout did not fire while the code ran.");
        var result = (await handling).Outcome;

        Assert.Equal(InvocationStatus.TimedOut, result.Status);
        Assert.Contains("timed out after 5 s", result.Error!.Message, StringComparison.Ordinal);
        Assert.True(result.FinishedAt - result.StartedAt >= TimeSpan.FromSeconds(5), $"timed out after {result.FinishedAt - result.StartedAt}");
        Assert.False(StuckSamples.HasReturned(key), "The outcome came only after the function returned.");
    }
}
