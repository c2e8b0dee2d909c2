using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Tests.Batching;

/// <summary>
/// Batch formation on a fake clock, through the handler as a pool's consumer drives it: one delivery per input, each
/// waiting for its own outcome. Nothing here sleeps; time moves only when a test advances it.
/// </summary>
public sealed class BatchCollectorTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(BatchSamples), typeof(BatchModel)]);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly CallCancellations _cancellations;
    private readonly InvocationHandler _handler;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    public BatchCollectorTests()
    {
        _cancellations = new CallCancellations(_time);
        _handler = new InvocationHandler(Registry, _cancellations, _time, NullLogger<InvocationHandler>.Instance);
    }

    [Fact]
    public async Task HandleAsync_MaxBatchSizeInputsArrive_RunsThemAsOneBatchAtOnceWithEachResultByPosition()
    {
        var container = await FunctionContainerAsync("label");
        var t0 = _time.GetUtcNow();

        var handled = Enumerable.Range(0, 4).Select(i => Handle(container, "label", $"[\"{Key(i)}\", {i}]")).ToList();
        var outcomes = await Task.WhenAll(handled).WaitAsync(Patience);

        Assert.Equal([[Key(0), Key(1), Key(2), Key(3)]], BatchSamples.Batches(_run));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(InvocationStatus.Succeeded, outcomes[i].Outcome.Status);
            Assert.Equal($"{Key(i)}={i * 10}", outcomes[i].Outcome.Value!.Value.GetString());
            Assert.Equal(t0, outcomes[i].Outcome.StartedAt);
        }
    }

    [Fact]
    public async Task HandleAsync_FewerThanMaxBatchSize_RunsWaitMsAfterTheFirstInputArrivedNotAfterTheLast()
    {
        var container = await FunctionContainerAsync("label");
        var t0 = _time.GetUtcNow();

        var first = Handle(container, "label", $"[\"{Key(0)}\", 0]");
        _time.Advance(TimeSpan.FromMilliseconds(40));
        var later = new[] { Handle(container, "label", $"[\"{Key(1)}\", 1]"), Handle(container, "label", $"[\"{Key(2)}\", 2]") };
        _time.Advance(TimeSpan.FromMilliseconds(59));

        Assert.Empty(BatchSamples.Batches(_run));
        Assert.False(first.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var outcomes = await Task.WhenAll([first, .. later]).WaitAsync(Patience);

        Assert.Equal([[Key(0), Key(1), Key(2)]], BatchSamples.Batches(_run));
        Assert.All(outcomes, o => Assert.Equal(t0 + TimeSpan.FromMilliseconds(100), o.Outcome.StartedAt));
    }

    [Fact]
    public async Task HandleAsync_LoneInput_RunsAfterExactlyWaitMs()
    {
        var container = await FunctionContainerAsync("label");
        var t0 = _time.GetUtcNow();

        var lone = Handle(container, "label", $"[\"{Key(0)}\", 7]");
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(lone.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var outcome = (await lone.WaitAsync(Patience)).Outcome;

        Assert.Equal(InvocationStatus.Succeeded, outcome.Status);
        Assert.Equal($"{Key(0)}=70", outcome.Value!.Value.GetString());
        Assert.Equal(TimeSpan.FromMilliseconds(100), outcome.StartedAt - t0);
    }

    [Fact]
    public async Task HandleAsync_MoreInputsThanMaxBatchSize_RunsFullBatchAtOnceThenTheRestAfterWaitMs()
    {
        var container = await FunctionContainerAsync("label");

        var handled = Enumerable.Range(0, 6).Select(i => Handle(container, "label", $"[\"{Key(i)}\", {i}]")).ToList();
        await Task.WhenAll(handled.Take(4)).WaitAsync(Patience);
        Assert.False(handled[4].IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var outcomes = await Task.WhenAll(handled).WaitAsync(Patience);

        Assert.Equal([[Key(0), Key(1), Key(2), Key(3)], [Key(4), Key(5)]], BatchSamples.Batches(_run));
        Assert.Equal($"{Key(5)}=50", outcomes[5].Outcome.Value!.Value.GetString());
    }

    [Fact]
    public async Task HandleAsync_InputsArriveWhileABatchRuns_FormTheNextBatchWhichRunsWhenThatOneEnds()
    {
        var container = await FunctionContainerAsync("gated");

        var first = Handle(container, "gated", $"[\"{Key(0)}\"]");
        await Eventually(() => BatchSamples.Batches(_run).Count == 1);
        var waiting = Enumerable.Range(1, 3).Select(i => Handle(container, "gated", $"[\"{Key(i)}\"]")).ToList();
        Assert.Single(BatchSamples.Batches(_run));

        BatchSamples.Open(_run);
        await Task.WhenAll([first, .. waiting]).WaitAsync(Patience);

        Assert.Equal([[Key(0)], [Key(1), Key(2)], [Key(3)]], BatchSamples.Batches(_run));
    }

    [Fact]
    public async Task HandleAsync_CallCancelledWhileWaiting_IsDroppedBeforeTheBatchRunsAndEndsCancelled()
    {
        var container = await FunctionContainerAsync("label");
        var cancelledId = "fc-" + Guid.NewGuid().ToString("N");

        var kept = Handle(container, "label", $"[\"{Key(0)}\", 0]");
        var cancelled = Handle(container, "label", $"[\"{Key(1)}\", 1]", callId: cancelledId);
        var other = Handle(container, "label", $"[\"{Key(2)}\", 2]");
        _cancellations.Cancel(cancelledId);
        var dropped = (await cancelled.WaitAsync(Patience)).Outcome;
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await Task.WhenAll(kept, other).WaitAsync(Patience);

        Assert.Equal(InvocationStatus.Cancelled, dropped.Status);
        Assert.Equal(0, dropped.Attempts);
        Assert.Equal([[Key(0), Key(2)]], BatchSamples.Batches(_run));
    }

    [Fact]
    public async Task HandleAsync_HostStopsWhileAnInputWaits_ItGoesBackUnrunAndTheOthersStillRun()
    {
        var container = await FunctionContainerAsync("label");
        using var stopping = new CancellationTokenSource();

        var kept = Handle(container, "label", $"[\"{Key(0)}\", 0]");
        var expired = Handle(container, "label", $"[\"{Key(1)}\", 1]", stopping: stopping.Token);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => expired.WaitAsync(Patience));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await kept.WaitAsync(Patience);
        Assert.Equal([[Key(0)]], BatchSamples.Batches(_run));
    }

    [Fact]
    public async Task HandleAsync_ResultListOfTheWrongLength_FailsEveryInputOfTheBatchSayingWhy()
    {
        var container = await FunctionContainerAsync("too-few");

        var handled = Enumerable.Range(0, 3).Select(i => Handle(container, "too-few", $"[\"{Key(i)}\"]")).ToList();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var outcomes = await Task.WhenAll(handled).WaitAsync(Patience);

        Assert.All(outcomes, o =>
        {
            Assert.Equal(InvocationStatus.Failed, o.Outcome.Status);
            Assert.Equal("Pipeline.BatchResultException", o.Outcome.Error!.Type);
            Assert.Equal("batching.too-few returned 2 result(s) for a batch of 3 input(s). A [Batched] method returns a list with one result per input, in input order.", o.Outcome.Error.Message);
        });
    }

    [Fact]
    public async Task HandleAsync_BatchThrows_FailsEveryInputAndEachFollowsItsOwnRetryPolicy()
    {
        var container = await FunctionContainerAsync("fail");

        // Retries(2), back-off 1 s then 2 s: attempt 1 and 2 ask for another; attempt 3 is the last.
        var handled = new[]
        {
            Handle(container, "fail", $"[\"{Key(0)}\"]", attempt: 1),
            Handle(container, "fail", $"[\"{Key(1)}\"]", attempt: 2),
            Handle(container, "fail", $"[\"{Key(2)}\"]", attempt: 3),
        };
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var outcomes = await Task.WhenAll(handled).WaitAsync(Patience);

        Assert.Single(BatchSamples.Batches(_run));
        Assert.All(outcomes, o =>
        {
            Assert.Equal(InvocationStatus.Failed, o.Outcome.Status);
            Assert.Equal(typeof(InvalidOperationException).FullName, o.Outcome.Error!.Type);
            Assert.Equal("a batch of 3 fails on purpose", o.Outcome.Error.Message);
        });
        Assert.Equal([1, 2, 3], outcomes.Select(o => o.Outcome.Attempts));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), (TimeSpan?)null], outcomes.Select(o => o.RetryAfter));
    }

    [Fact]
    public async Task HandleAsync_OneInputHasBadArguments_IsRejectedAloneAndTheBatchRunsWithTheOthers()
    {
        var container = await FunctionContainerAsync("label");

        var good = Handle(container, "label", $"[\"{Key(0)}\", 1]");
        var bad = Handle(container, "label", $"[\"{Key(1)}\", \"one\"]");
        var rejected = (await bad.WaitAsync(Patience)).Outcome;
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await good.WaitAsync(Patience);

        Assert.Equal(InvocationStatus.Rejected, rejected.Status);
        Assert.Contains("Argument 'values'", rejected.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("expects int (a whole number", rejected.Error.Message, StringComparison.Ordinal);
        Assert.Equal([[Key(0)]], BatchSamples.Batches(_run));
    }

    [Fact]
    public async Task HandleAsync_ClassWithBatchedAndPlainMethods_ShareOneInstanceAndRunOneAtATime()
    {
        var cls = Registry.FindClass("batching", "batch-model")!;
        var container = new Container(QueueNames.ForClass("batching", "batch-model", ParameterSet.Empty), cls, ParameterSet.Empty, _time, NullLogger.Instance);
        await container.StartAsync(CancellationToken.None);

        var embeds = Enumerable.Range(0, 3).Select(i => Handle(container, "embed", $"[\"{Key(i)}\"]", cls: "batch-model")).ToList();
        await Eventually(() => BatchSamples.Batches(_run).Count == 1);
        var plain = Handle(container, "plain", $"[\"{_run}/plain\"]", cls: "batch-model");
        Assert.Single(BatchSamples.Batches(_run));

        BatchSamples.Open(_run);
        var outcomes = await Task.WhenAll([.. embeds, plain]).WaitAsync(Patience);

        Assert.Equal([[Key(0), Key(1), Key(2)], [$"{_run}/embed-end"], [$"{_run}/plain"]], BatchSamples.Batches(_run));
        var instances = outcomes.Select(o => o.Outcome.Value!.Value.GetString()!.Split('@')[1]).Distinct();
        Assert.Single(instances);
    }

    private string Key(int i) => $"{_run}/{i}";

    private async Task<Container> FunctionContainerAsync(string function)
    {
        var container = new Container(QueueNames.ForFunction("batching", function), null, ParameterSet.Empty, _time, NullLogger.Instance);
        await container.StartAsync(CancellationToken.None);
        return container;
    }

    private Task<HandledInput> Handle(Container container, string function, string args, int attempt = 1, string? callId = null, string? cls = null, CancellationToken stopping = default)
    {
        var message = new RunInvocation
        {
            CallId = callId ?? "fc-" + Guid.NewGuid().ToString("N"),
            App = "batching",
            Class = cls,
            Function = function,
            Args = JsonDocument.Parse(args).RootElement.Clone(),
            Attempt = attempt,
        };
        return _handler.HandleAsync(container, message, stopping);
    }

    // For work on other threads (a batch runs on its own): polls real time briefly; the fake clock does not move.
    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s of real time.");
            await timer.WaitForNextTickAsync();
        }
    }
}
