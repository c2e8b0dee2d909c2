using Pipeline.Client;
using Pipeline.Messages.Invocations;

namespace Pipeline.Embedded.Tests;

public sealed class EmbeddedPipelineTests : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("N");
    private EmbeddedPipeline _pipeline = null!;

    private PipelineClient Client => _pipeline.Client;

    public async Task InitializeAsync() => _pipeline = await EmbeddedPipeline.StartAsync([typeof(Model).Assembly]);

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    [Fact]
    public async Task RemoteAsync_Function_ReturnsItsValue()
    {
        Assert.Equal(49, await Client.Function("embedded", "square").RemoteAsync<int>([7]));
    }

    [Fact]
    public async Task RemoteAsync_GpuFunction_RunsOnTheCpuInEmbeddedMode()
    {
        Assert.Equal(2, await Client.Function("embedded", "on-gpu").RemoteAsync<int>([1]).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RemoteAsync_FunctionThrows_RaisesRemoteExceptionWithTypeMessageAndStack()
    {
        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => Client.Function("embedded", "Crash").RemoteAsync<object>(["boom"]));

        Assert.Equal(InvocationStatus.Failed, error.Status);
        Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, error.RemoteType);
        Assert.StartsWith("boom", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Contains($"{nameof(Thrower)}.{nameof(Thrower.Throw)}", error.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Contains("Remote stack trace", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteAsync_WrongArguments_RaisesRejectedNamingTheArgument()
    {
        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => Client.Function("embedded", "square").RemoteAsync<int>(["seven"]));

        Assert.Equal(InvocationStatus.Rejected, error.Status);
        Assert.Contains("Argument 'x'", error.RemoteMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpawnAsync_ThenGetById_ReturnsTheResult()
    {
        var call = await Client.Function("embedded", "square").SpawnAsync([12]);

        Assert.StartsWith("fc-", call.Id, StringComparison.Ordinal);
        Assert.Equal(144, await Client.Call(call.Id).GetAsync<int>(TimeSpan.FromSeconds(30)));
        Assert.Equal(144, await call.GetAsync<int>(TimeSpan.Zero));
    }

    [Fact]
    public async Task GetAsync_UnknownId_RaisesOutputExpired()
    {
        await Assert.ThrowsAsync<OutputExpiredException>(() => Client.Call("fc-unknown").GetAsync<int>(TimeSpan.Zero));
    }

    [Fact]
    public async Task MapAsync_ManyInputs_StreamsResultsInInputOrder()
    {
        var results = new List<int>();
        await foreach (var value in Client.Function("embedded", "slow-square").MapAsync<int>(Enumerable.Range(0, 20).Cast<object?>()))
        {
            results.Add(value);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * x), results);
    }

    [Fact]
    public async Task MapAsync_CompletionOrder_ReturnsEveryResult()
    {
        var results = new List<int>();
        var options = new MapOptions { OrderOutputs = false, MaxInFlight = 5 };
        await foreach (var value in Client.Function("embedded", "slow-square").MapAsync<int>(Enumerable.Range(0, 20).Cast<object?>(), options))
        {
            results.Add(value);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(x => x * x), results.Order());
    }

    [Fact]
    public async Task Cls_TwoParameterSets_GetOneContainerEachEnteredOnceBeforeInput()
    {
        var llama = Client.Cls("embedded", "Model").With(new { run = _run, name = "llama", size = 7 });
        var mistral = Client.Cls("embedded", "Model").With(new { run = _run, name = "mistral" });

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"llama:7:p{i}", await llama.Method("generate").RemoteAsync<string>([$"p{i}"]));
            Assert.Equal($"mistral:100:p{i}", await mistral.Method("Generate").RemoteAsync<string>([$"p{i}"]));
        }

        var events = Events.Of(_run);
        Assert.Single(events, "enter llama/7");
        Assert.Single(events, "enter mistral/100");
        Assert.True(events.ToList().IndexOf("enter llama/7") < events.ToList().IndexOf("input llama/7"));
        Assert.NotEqual(llama.Queue, mistral.Queue);
    }

    [Fact]
    public async Task Cls_DefaultGivenExplicitly_SharesThePoolOfTheOmittedDefault()
    {
        var omitted = Client.Cls("embedded", "model").With(new { run = _run, name = "same" });
        var explicitDefault = Client.Cls("embedded", "model").With(new { run = _run, name = "same", size = 100 });

        await omitted.Method("generate").RemoteAsync<string>(["a"]);
        await explicitDefault.Method("generate").RemoteAsync<string>(["b"]);

        Assert.Equal(omitted.Queue, explicitDefault.Queue);
        Assert.Single(Events.Of(_run), "enter same/100");
    }

    [Fact]
    public async Task StopAsync_AfterUse_RunsExitOncePerContainer()
    {
        await Client.Cls("embedded", "model").With(new { run = _run, name = "a" }).Method("generate").RemoteAsync<string>(["x"]);
        await Client.Cls("embedded", "model").With(new { run = _run, name = "b" }).Method("generate").RemoteAsync<string>(["x"]);

        await _pipeline.StopAsync();
        await _pipeline.StopAsync();

        var events = Events.Of(_run);
        Assert.Single(events, "exit a/100");
        Assert.Single(events, "exit b/100");
        Assert.True(events.ToList().IndexOf("input a/100") < events.ToList().IndexOf("exit a/100"));
    }

    [Fact]
    public async Task Cls_EnterThrows_CallerGetsEnterErrorOtherPoolsWorkAndExitNeverRuns()
    {
        var broken = Client.Cls("embedded", "model").With(new { run = _run, name = "broken", failEnter = true });
        var healthy = Client.Cls("embedded", "model").With(new { run = _run, name = "healthy" });

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => broken.Method("generate").RemoteAsync<string>(["x"]));
        Assert.Equal("healthy:100:y", await healthy.Method("generate").RemoteAsync<string>(["y"]));
        await _pipeline.StopAsync();

        Assert.Equal(InvocationStatus.EnterFailed, error.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
        Assert.Equal("cannot load broken", error.RemoteMessage);
        var events = Events.Of(_run);
        Assert.DoesNotContain("input broken/100", events);
        Assert.DoesNotContain("exit broken/100", events);
        Assert.Contains("exit healthy/100", events);
    }

    [Fact]
    public void Cls_MissingRequiredParameter_ThrowsAtTheCallerNamingIt()
    {
        var error = Assert.Throws<Pipeline.Messages.Parameters.ParameterException>(() => Client.Cls("embedded", "model").With(new { run = _run }));

        Assert.Contains("Missing required parameter 'name'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cls_ParametersOver16KiB_AreRefusedAtTheCaller()
    {
        var error = Assert.Throws<Pipeline.Messages.Parameters.ParameterException>(
            () => Client.Cls("embedded", "model").With(new { run = _run, name = new string('x', 17_000) }));

        Assert.Contains("16 KiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_UnknownName_ThrowsListingKnownFunctions()
    {
        var error = Assert.Throws<ArgumentException>(() => Client.Function("embedded", "cube"));

        Assert.Contains("square", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapResultsAsync_SomeInputsFail_ReturnsEachErrorInPlaceAndKeepsGoing()
    {
        var results = await Client.Function("embedded", "even-only").MapResultsAsync<int>(new object?[] { 1, 2, 3, 4 }).ToListAsync();

        Assert.Equal([0, 1, 2, 3], results.Select(r => r.Index));
        Assert.Equal([false, true, false, true], results.Select(r => r.Succeeded));
        Assert.Equal([0, 2, 0, 4], results.Select(r => r.Value));
        Assert.Equal("3 is odd", results[2].Error!.RemoteMessage);
        Assert.Equal(InvocationStatus.Failed, results[0].Error!.Status);
    }

    [Fact]
    public async Task MapAsync_SomeInputsFail_ThrowsTheFirstFailure()
    {
        var error = await Assert.ThrowsAnyAsync<RemoteException>(async () => await Client.Function("embedded", "even-only").MapAsync<int>(new object?[] { 2, 3, 4 }).ToListAsync());

        Assert.Equal("3 is odd", error.RemoteMessage);
    }

    [Fact]
    public async Task RemoteAsync_FailsTwiceWithRetries2_SucceedsOnTheThirdRun()
    {
        Assert.Equal(3, await Client.Function("embedded", "fails-then-counts").RemoteAsync<int>([_run, 2]).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task SpawnAsync_SameIdempotencyKey_ReturnsTheFirstCallAndRunsOnce()
    {
        var record = Client.Function("embedded", "record");
        var options = new CallOptions { IdempotencyKey = "key-" + _run };

        var first = await record.SpawnAsync([_run, "first"], options);
        var second = await record.SpawnAsync([_run, "second"], options);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal("first", await second.GetAsync<string>(TimeSpan.FromSeconds(30)));
        Assert.Equal(["first"], Events.Of(_run));
    }

    [Fact]
    public async Task CancelAsync_RunningCall_GetThrowsCancelledAndTheFunctionSawItsTokenWithoutRetry()
    {
        var call = await Client.Function("embedded", "wait-for-cancel").SpawnAsync([_run]);
        await WaitUntilAsync(() => Events.Of(_run).Contains("start"));

        Assert.True(await call.CancelAsync());

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => call.GetAsync<int>(TimeSpan.FromSeconds(30)));
        Assert.Equal(InvocationStatus.Cancelled, error.Status);
        await WaitUntilAsync(() => Events.Of(_run).Contains("cancelled"));
        Assert.Equal(["start", "cancelled"], Events.Of(_run));
    }

    [Fact]
    public async Task RemoteAsync_CallerCancels_TheRunningFunctionIsCancelledToo()
    {
        using var caller = new CancellationTokenSource();
        var remote = Client.Function("embedded", "wait-for-cancel").RemoteAsync<int>([_run], caller.Token);
        await WaitUntilAsync(() => Events.Of(_run).Contains("start"));

        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => remote);
        await WaitUntilAsync(() => Events.Of(_run).Contains("cancelled"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not become true within 30 s.");
            await timer.WaitForNextTickAsync();
        }
    }
}
