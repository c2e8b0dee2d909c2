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
    private readonly CallCancellations _cancellations;
    private readonly InvocationHandler _handler;

    public InvocationHandlerTests()
    {
        _cancellations = new CallCancellations(_time);
        _handler = new InvocationHandler(Registry, _cancellations, _time, NullLogger<InvocationHandler>.Instance);
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
    public async Task HandleAsync_ThirdAttempt_ContainerContextShowsTheCallAndAttempt()
    {
        var callId = "fc-" + Guid.NewGuid().ToString("N");

        var result = (await HandleOnceAsync("who-am-i", "[]", 3, callId: callId)).Outcome;

        Assert.Equal($"{callId}/{callId}/3", result.Value!.Value.GetString());
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
        // Not before the 5 s timeout. No upper bound: the test advances the fake clock while the thread pool gets to the
        // cancellation, so how far past 5 s it is says only how busy the machine was.
        Assert.True(_time.GetUtcNow() - result.StartedAt >= TimeSpan.FromSeconds(5), $"timed out after {_time.GetUtcNow() - result.StartedAt}");
    }

    [Fact]
    public async Task HandleAsync_FailsWithRetriesLeft_AsksForTheNextAttemptAfterTheBackoff()
    {
        var key = Guid.NewGuid().ToString("N");

        var first = await HandleOnceAsync("flaky", $"[\"{key}\", 2]", attempt: 1);
        var second = await HandleOnceAsync("flaky", $"[\"{key}\", 2]", attempt: 2);
        var third = await HandleOnceAsync("flaky", $"[\"{key}\", 2]", attempt: 3);

        // InitialDelay 1 s, coefficient 2: 1 s before the first retry, 2 s before the second.
        Assert.Equal((InvocationStatus.Failed, 1, TimeSpan.FromSeconds(1)), (first.Outcome.Status, first.Outcome.Attempts, first.RetryAfter!.Value));
        Assert.Equal((InvocationStatus.Failed, 2, TimeSpan.FromSeconds(2)), (second.Outcome.Status, second.Outcome.Attempts, second.RetryAfter!.Value));
        Assert.Equal((InvocationStatus.Succeeded, 3, (TimeSpan?)null), (third.Outcome.Status, third.Outcome.Attempts, third.RetryAfter));
        Assert.Equal(3, third.Outcome.Value!.Value.GetInt32());
    }

    [Fact]
    public async Task HandleAsync_LastAttemptFails_IsFinalWithTheLastError()
    {
        var key = Guid.NewGuid().ToString("N");

        var last = await HandleOnceAsync("flaky", $"[\"{key}\", 10]", attempt: 4);

        Assert.Null(last.RetryAfter);
        Assert.Equal(InvocationStatus.Failed, last.Outcome.Status);
        Assert.Equal(4, last.Outcome.Attempts);
        Assert.Equal("attempt 1 failed", last.Outcome.Error!.Message);
    }

    [Fact]
    public async Task HandleAsync_TimedOutWithRetriesLeft_IsRetried()
    {
        var handling = HandleOnceAsync("hang-with-retries", "[]", attempt: 1);
        await AdvanceUntilDoneAsync(handling, TimeSpan.FromSeconds(1));
        var handled = await handling;

        Assert.Equal(InvocationStatus.TimedOut, handled.Outcome.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), handled.RetryAfter);
    }

    [Fact]
    public async Task HandleAsync_CallCancelledBeforeItArrives_DoesNotRunAndIsNotRetried()
    {
        var key = Guid.NewGuid().ToString("N");
        var callId = "fc-" + Guid.NewGuid().ToString("N");
        _cancellations.Cancel(callId);

        var handled = await HandleOnceAsync("flaky", $"[\"{key}\", 10]", attempt: 1, callId: callId);

        Assert.Equal(InvocationStatus.Cancelled, handled.Outcome.Status);
        Assert.Null(handled.RetryAfter);
        Assert.Equal(0, HandlerSamples.Attempts(key));
    }

    [Fact]
    public async Task HandleAsync_CallCancelledWhileRunning_CancelsItsTokenAndIsNotRetried()
    {
        var callId = "fc-" + Guid.NewGuid().ToString("N");
        var handling = HandleOnceAsync("hang-with-retries", "[]", attempt: 1, callId: callId);
        await Task.Yield();

        _cancellations.Cancel(callId);
        var handled = await handling.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(InvocationStatus.Cancelled, handled.Outcome.Status);
        Assert.Equal("Pipeline.CallCancelledException", handled.Outcome.Error!.Type);
        Assert.Null(handled.RetryAfter);
    }

    [Theory]
    [InlineData("add", "[1]", "missing argument 'b'")]
    [InlineData("add", "[1, 2, 3]", "takes 2 argument(s)")]
    [InlineData("add", "[\"one\", 2]", "Argument 'a' of handler.add expects int (a whole number from -2147483648 to 2147483647), got JSON String \"one\"")]
    [InlineData("add", "[3000000000, 2]", "Argument 'a' of handler.add expects int (a whole number from -2147483648 to 2147483647), got JSON Number 3000000000")]
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

    private async Task<InvocationCompleted> HandleAsync(string function, string args, string? queue = null) =>
        (await HandleOnceAsync(function, args, 1, queue)).Outcome;

    private async Task<HandledInput> HandleOnceAsync(string function, string args, int attempt, string? queue = null, string? callId = null)
    {
        var container = new Container(queue ?? QueueNames.ForFunction("handler", function), null, ParameterSet.Empty, _time, NullLogger.Instance);
        await container.StartAsync(CancellationToken.None);
        var message = new RunInvocation
        {
            CallId = callId ?? "fc-" + Guid.NewGuid().ToString("N"),
            App = "handler",
            Function = function,
            Args = JsonDocument.Parse(args).RootElement.Clone(),
            Attempt = attempt,
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
