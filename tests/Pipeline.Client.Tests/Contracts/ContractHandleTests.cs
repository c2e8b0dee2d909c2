using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Client.Targets;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.Client.Tests.Contracts;

public sealed class ContractHandleTests
{
    private readonly FakeTransport _transport = new();
    private readonly FakeTimeProvider _time = new();
    private readonly PipelineClient _client;

    public ContractHandleTests()
    {
        _client = new PipelineClient(_transport, new ManifestCatalog([TestApps.Inference]), new InMemoryResultStore(_time), _time);
    }

    [Theory]
    [InlineData("llama", 7)]
    [InlineData("llama", 100)]
    public async Task Cls_Record_SameQueueAndParametersAsUntypedWith(string name, int size)
    {
        var typed = _client.Cls<IModel, ModelParameters>(new(name, Size: size));
        var untyped = _client.Cls("inference", "Model").With(new { name, size });
        _transport.Answer = invocation => Task.FromResult(FakeTransport.Succeed(invocation, JsonSerializer.SerializeToElement("ok")));

        await typed.RemoteAsync(m => m.GenerateAsync("hi", CancellationToken.None));
        await untyped.Method("generate").RemoteAsync<string>(["hi"]);

        Assert.Equal(untyped.Queue, typed.Queue);
        var sent = _transport.Sent.ToArray();
        Assert.Equal(sent[1].Parameters!.Value.GetRawText(), sent[0].Parameters!.Value.GetRawText());
        Assert.Equal(("inference", "model", "generate"), (sent[0].App, sent[0].Class, sent[0].Function));
        Assert.Equal("[\"hi\"]", sent[0].Args!.Value.GetRawText());
    }

    [Fact]
    public void Cls_RecordDefault_HashesLikeTheDefaultLeftOut()
    {
        var defaulted = _client.Cls<IModel, ModelParameters>(new("llama"));

        Assert.Equal(_client.Cls("inference", "model").With(new { name = "llama" }).Queue, defaulted.Queue);
    }

    [Fact]
    public async Task RemoteAsync_MethodToken_IsTheCallsTokenNotAnArgument()
    {
        using var cancel = new CancellationTokenSource();
        var answered = new TaskCompletionSource<InvocationCompleted>();
        _transport.Answer = _ => answered.Task;
        var jobs = _client.Function<IJobs>();

        var call = jobs.RemoteAsync(j => j.SquareAsync(7, cancel.Token));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var sent = Assert.Single(_transport.Sent);
        Assert.Equal("[7]", sent.Args!.Value.GetRawText());
        Assert.Equal("square", sent.Function);
    }

    [Fact]
    public async Task RemoteAsync_SyncMethodWithComputedArgument_SendsTheValueAndReadsTheResult()
    {
        var offset = 3;
        _transport.Answer = invocation => Task.FromResult(FakeTransport.Succeed(invocation, JsonSerializer.SerializeToElement(invocation.Args!.Value[0].GetInt32() * 2)));

        int result = await _client.Function<IJobs>().RemoteAsync(j => j.Twice(offset * 2));

        Assert.Equal(12, result);
        Assert.Equal("[6]", Assert.Single(_transport.Sent).Args!.Value.GetRawText());
    }

    [Fact]
    public async Task RemoteAsync_NoResult_WaitsForTheCall()
    {
        _transport.Answer = invocation => Task.FromResult(FakeTransport.Succeed(invocation, JsonSerializer.SerializeToElement<object?>(null)));

        await _client.Function<IJobs>().RemoteAsync(j => j.NightlyReportAsync(CancellationToken.None));

        Assert.Equal("nightly-report", Assert.Single(_transport.Sent).Function);
    }

    [Theory]
    [InlineData(InvocationStatus.Failed, typeof(RemoteFailedException))]
    [InlineData(InvocationStatus.TimedOut, typeof(FunctionTimeoutException))]
    [InlineData(InvocationStatus.Cancelled, typeof(InputCancelledException))]
    [InlineData(InvocationStatus.Rejected, typeof(InputRejectedException))]
    [InlineData(InvocationStatus.EnterFailed, typeof(EnterFailedException))]
    public async Task RemoteAsync_CallEnds_ThrowsTheSubtypeForItsStatus(InvocationStatus status, Type expected)
    {
        _transport.Answer = invocation => Task.FromResult(new InvocationCompleted
        {
            CallId = invocation.CallId,
            Status = status,
            Error = new RemoteError("Some.Error", "went wrong", "at Remote()"),
        });

        var typed = await Assert.ThrowsAnyAsync<RemoteException>(() => _client.Function<IJobs>().RemoteAsync(j => j.SquareAsync(1, CancellationToken.None)));
        var untyped = await Assert.ThrowsAnyAsync<RemoteException>(() => _client.Function("inference", "square").RemoteAsync<int>([1]));

        Assert.IsType(expected, typed);
        Assert.IsType(expected, untyped);
        Assert.Equal((status, "Some.Error", "went wrong", "at Remote()"), (typed.Status, typed.RemoteType, typed.RemoteMessage, typed.RemoteStackTrace));
    }

    [Fact]
    public async Task MapAsync_InputAndCapturedArguments_SendsOneInputEachInOrder()
    {
        var b = 10;
        _transport.Answer = invocation => Task.FromResult(FakeTransport.Succeed(invocation, JsonSerializer.SerializeToElement(invocation.Args!.Value[0].GetInt32() + invocation.Args!.Value[1].GetInt32())));

        var results = await _client.Function<IJobs>().MapAsync(Enumerable.Range(1, 5), (j, x) => j.AddAsync(x, b, CancellationToken.None)).ToListAsync();

        Assert.Equal([11, 12, 13, 14, 15], results);
    }

    [Fact]
    public async Task StarMapAsync_Pairs_SpreadsEachOverTwoArguments()
    {
        _transport.Answer = invocation => Task.FromResult(FakeTransport.Succeed(invocation, JsonSerializer.SerializeToElement(invocation.Args!.Value[0].GetInt32() + invocation.Args!.Value[1].GetInt32())));

        var results = await _client.Function<IJobs>().StarMapAsync([(1, 2), (3, 4)], (j, a, b) => j.AddAsync(a, b, CancellationToken.None)).ToListAsync();

        Assert.Equal([3, 7], results);
    }

    [Fact]
    public async Task MapResultsAsync_OneFails_ReturnsItsExceptionInPlace()
    {
        _transport.Answer = invocation => Task.FromResult(invocation.Args!.Value[0].GetInt32() == 2
            ? new InvocationCompleted { CallId = invocation.CallId, Status = InvocationStatus.TimedOut, Error = new RemoteError("T", "slow", null) }
            : FakeTransport.Succeed(invocation, invocation.Args!.Value[0]));

        var results = await _client.Function<IJobs>().MapResultsAsync([1, 2, 3], (j, x) => j.SquareAsync(x, CancellationToken.None)).ToListAsync();

        Assert.Equal([1, 0, 3], results.Select(r => r.Value));
        Assert.IsType<FunctionTimeoutException>(results[1].Error);
    }

    [Fact]
    public void MapAsync_TokenDependsOnTheInput_IsRefusedWithTheRule()
    {
        var tokens = new[] { CancellationToken.None };

        var error = Assert.Throws<ArgumentException>(() => _client.Function<IJobs>().MapAsync([0], (j, x) => j.SquareAsync(x, tokens[x])));

        Assert.Contains("whole call's token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_ClassContract_SaysToUseCls()
    {
        var error = Assert.Throws<InvalidOperationException>(() => _client.Function<IModel>());

        Assert.Contains("Cls<IModel, ModelParameters>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypedCalls_ThroughAnotherClientImplementation_GoByNameAndSendTheSame()
    {
        IPipelineClient recording = new RecordingClient(_client);
        _transport.Answer = invocation => Task.FromResult(FakeTransport.Succeed(invocation, JsonSerializer.SerializeToElement(invocation.Function == "square" ? (object)49 : "ok")));

        var square = await recording.Function<IJobs>().RemoteAsync(j => j.SquareAsync(7, CancellationToken.None));
        var text = await recording.Cls<IModel, ModelParameters>(new("llama", Size: 7)).RemoteAsync(m => m.GenerateAsync("hi", CancellationToken.None));
        await _client.Cls<IModel, ModelParameters>(new("llama", Size: 7)).RemoteAsync(m => m.GenerateAsync("hi", CancellationToken.None));

        Assert.Equal((49, "ok"), (square, text));
        Assert.Equal(["function inference.square", "cls inference.model"], ((RecordingClient)recording).Asked);
        var sent = _transport.Sent.ToArray();
        Assert.Equal(("inference", null, "square", "[7]"), (sent[0].App, sent[0].Class, sent[0].Function, sent[0].Args!.Value.GetRawText()));
        Assert.Equal(sent[2].Parameters!.Value.GetRawText(), sent[1].Parameters!.Value.GetRawText());
        Assert.Equal(("model", "generate", "[\"hi\"]"), (sent[1].Class, sent[1].Function, sent[1].Args!.Value.GetRawText()));
    }

    // A decorator a service might write over the real client: it sees every typed call by name.
    private sealed class RecordingClient(IPipelineClient inner) : IPipelineClient
    {
        public List<string> Asked { get; } = [];

        public FunctionHandle Function(string app, string name)
        {
            Asked.Add($"function {app}.{name}");
            return inner.Function(app, name);
        }

        public ClsHandle Cls(string app, string name)
        {
            Asked.Add($"cls {app}.{name}");
            return inner.Cls(app, name);
        }

        public FunctionCall Call(string callId) => inner.Call(callId);
    }
}
