using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Tests.Invocations;

public sealed class InvocationHandlerTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(HandlerSamples)]);

    private readonly FakeTimeProvider _time = new();
    private readonly InvocationHandler _handler;

    public InvocationHandlerTests()
    {
        _handler = new InvocationHandler(Registry, _time, NullLogger<InvocationHandler>.Instance);
    }

    [Fact]
    public async Task HandleAsync_GoodInput_SucceedsWithJsonValue()
    {
        var result = await HandleAsync("add", "[2, 3]");

        Assert.Equal(InvocationStatus.Succeeded, result.Status);
        Assert.Equal(5, result.Value!.Value.GetInt32());
        Assert.Equal(1, result.Attempts);
    }

    [Fact]
    public async Task HandleAsync_FunctionThrows_FailsWithRemoteTypeMessageAndStack()
    {
        var result = await HandleAsync("explode", "[\"bad row 7\"]");

        Assert.Equal(InvocationStatus.Failed, result.Status);
        Assert.Equal(typeof(InvalidDataException).FullName, result.Error!.Type);
        Assert.Equal("bad row 7", result.Error.Message);
        Assert.Contains(nameof(HandlerSamples.Explode), result.Error.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_AttemptRunsPastTimeout_CancelsTokenAndReportsTimedOut()
    {
        var handling = HandleAsync("hang", "[]");
        await AdvanceUntilDoneAsync(handling, TimeSpan.FromSeconds(1));
        var result = await handling;

        Assert.Equal(InvocationStatus.TimedOut, result.Status);
        Assert.Contains("timed out after 5 s", result.Error!.Message, StringComparison.Ordinal);
        Assert.InRange(_time.GetUtcNow() - result.StartedAt, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task HandleAsync_FailsTwiceWithRetries3_SucceedsOnThirdAttemptAfterBackoff()
    {
        var key = Guid.NewGuid().ToString("N");
        var started = _time.GetUtcNow();

        var handling = HandleAsync("flaky", $"[\"{key}\", 2]");
        await AdvanceUntilDoneAsync(handling, TimeSpan.FromMilliseconds(250));
        var result = await handling;

        Assert.Equal(InvocationStatus.Succeeded, result.Status);
        Assert.Equal(3, result.Value!.Value.GetInt32());
        Assert.Equal(3, result.Attempts);
        // Delays 1 s then 2 s (InitialDelay 1 s, coefficient 2): the third attempt starts 3 s in.
        Assert.InRange(result.StartedAt - started, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.25));
    }

    [Fact]
    public async Task HandleAsync_FailsMoreThanRetries_ReturnsLastFailure()
    {
        var handling = HandleAsync("flaky", $"[\"{Guid.NewGuid():N}\", 10]");
        await AdvanceUntilDoneAsync(handling, TimeSpan.FromSeconds(1));
        var result = await handling;

        Assert.Equal(InvocationStatus.Failed, result.Status);
        Assert.Equal(4, result.Attempts);
        Assert.Equal("attempt 4 failed", result.Error!.Message);
    }

    [Theory]
    [InlineData("add", "[1]", "missing argument 'b'")]
    [InlineData("add", "[1, 2, 3]", "takes 2 argument(s)")]
    [InlineData("add", "[\"one\", 2]", "Argument 'a' of handler.add expects Int32")]
    [InlineData("nope", "[]", "has no function named 'nope'")]
    public async Task HandleAsync_BadInput_IsRejectedWithTheReason(string function, string args, string reason)
    {
        var result = await HandleAsync(function, args, queue: QueueNames.ForFunction("handler", "add"));

        Assert.Equal(InvocationStatus.Rejected, result.Status);
        Assert.Contains(reason, result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_InputForAnotherPool_IsRejectedNamingTheRightQueue()
    {
        var result = await HandleAsync("add", "[1, 2]", queue: QueueNames.ForFunction("handler", "explode"));

        Assert.Equal(InvocationStatus.Rejected, result.Status);
        Assert.Contains("belongs to pool 'handler.add'", result.Error!.Message, StringComparison.Ordinal);
    }

    private async Task<InvocationCompleted> HandleAsync(string function, string args, string? queue = null)
    {
        var container = new Container(queue ?? QueueNames.ForFunction("handler", function), null, ParameterSet.Empty, _time, NullLogger.Instance);
        await container.StartAsync(CancellationToken.None);
        var message = new RunInvocation
        {
            CallId = "fc-" + Guid.NewGuid().ToString("N"),
            App = "handler",
            Function = function,
            Args = JsonDocument.Parse(args).RootElement.Clone(),
        };
        return await _handler.HandleAsync(container, message, CancellationToken.None);
    }

    private async Task AdvanceUntilDoneAsync(Task task, TimeSpan step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "The invocation did not finish within 10 s of real time.");
            await Task.Yield();
            _time.Advance(step);
        }
    }
}
