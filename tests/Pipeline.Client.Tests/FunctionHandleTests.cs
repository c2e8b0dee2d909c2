using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Client.Targets;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;
using Pipeline.Results;

namespace Pipeline.Client.Tests;

public sealed class FunctionHandleTests
{
    private readonly FakeTransport _transport = new();
    private readonly FakeTimeProvider _time = new();
    private readonly PipelineClient _client;

    public FunctionHandleTests()
    {
        _client = new PipelineClient(_transport, new ManifestCatalog([TestApps.Inference]), new InMemoryResultStore(_time), _time);
    }

    [Fact]
    public async Task RemoteAsync_SendsPositionalArgsAsJsonToTheFunctionsQueue()
    {
        var result = await _client.Function("inference", "Square").RemoteAsync<int>([7]);

        Assert.Equal(7, result);
        var sent = Assert.Single(_transport.Sent);
        Assert.Equal("inference", sent.App);
        Assert.Equal("square", sent.Function);
        Assert.Null(sent.Class);
        Assert.Equal("[7]", sent.Args!.Value.GetRawText());
        Assert.Matches("^fc-[0-9a-f]{32}$", sent.CallId);
    }

    [Fact]
    public async Task RemoteAsync_Failure_ThrowsRemoteExceptionWithTheRemoteDetails()
    {
        _transport.Answer = invocation => Task.FromResult(new InvocationCompleted
        {
            CallId = invocation.CallId,
            Status = InvocationStatus.TimedOut,
            Error = new RemoteError("Pipeline.FunctionTimeoutException", "took too long", "at Somewhere()"),
        });

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => _client.Function("inference", "square").RemoteAsync<int>([1]));

        Assert.Equal(InvocationStatus.TimedOut, error.Status);
        Assert.Equal("Pipeline.FunctionTimeoutException", error.RemoteType);
        Assert.Equal("took too long", error.RemoteMessage);
        Assert.Equal("at Somewhere()", error.RemoteStackTrace);
        Assert.Contains("at Somewhere()", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapAsync_ManyInputs_NeverExceedsMaxInFlightAndKeepsInputOrder()
    {
        var random = new Random(7);
        _transport.Answer = async invocation =>
        {
            await Task.Yield();
            if (random.Next(2) == 0)
            {
                await Task.Yield();
            }

            return FakeTransport.Succeed(invocation, invocation.Args!.Value[0]);
        };

        var results = new List<int>();
        await foreach (var value in _client.Function("inference", "square").MapAsync<int>(Enumerable.Range(0, 2000).Cast<object?>(), new MapOptions { MaxInFlight = 25 }))
        {
            results.Add(value);
        }

        Assert.Equal(Enumerable.Range(0, 2000), results);
        Assert.InRange(_transport.MaxInFlight, 1, 25);
    }

    [Fact]
    public async Task MapAsync_CompletionOrder_YieldsTheFirstFinishedFirst()
    {
        var slow = new TaskCompletionSource();
        _transport.Answer = async invocation =>
        {
            if (invocation.Args!.Value[0].GetInt32() == 0)
            {
                await slow.Task;
            }

            return FakeTransport.Succeed(invocation, invocation.Args!.Value[0]);
        };

        var results = new List<int>();
        await foreach (var value in _client.Function("inference", "square").MapAsync<int>([0, 1, 2], new MapOptions { OrderOutputs = false }))
        {
            results.Add(value);
            if (results.Count == 2)
            {
                slow.SetResult();
            }
        }

        Assert.Equal(0, results[^1]);
        Assert.Equal([1, 2], results.Take(2).Order());
    }

    [Fact]
    public async Task MapAsync_AnInputFails_ThrowsItsError()
    {
        _transport.Answer = invocation => Task.FromResult(invocation.Args!.Value[0].GetInt32() == 3
            ? new InvocationCompleted { CallId = invocation.CallId, Status = InvocationStatus.Failed, Error = new RemoteError("System.Exception", "three", null) }
            : FakeTransport.Succeed(invocation, invocation.Args!.Value[0]));

        var error = await Assert.ThrowsAnyAsync<RemoteException>(async () =>
        {
            await foreach (var _ in _client.Function("inference", "square").MapAsync<int>(Enumerable.Range(0, 10).Cast<object?>()))
            {
            }
        });

        Assert.Equal("three", error.RemoteMessage);
    }

    [Fact]
    public async Task SpawnAsync_ThenGet_PendingUntilRecordedAndZeroTimeoutLooksOnce()
    {
        var call = await _client.Function("inference", "square").SpawnAsync([3]);
        var sent = Assert.Single(_transport.Sent);

        Assert.True(sent.StoreResult);
        await Assert.ThrowsAsync<TimeoutException>(() => call.GetAsync<int>(TimeSpan.Zero));
        await _client.Results.RecordAsync(FakeTransport.Succeed(sent, JsonDocument.Parse("9").RootElement), CancellationToken.None);
        Assert.Equal(9, await _client.Call(call.Id).GetAsync<int>(TimeSpan.Zero));
        await Assert.ThrowsAsync<OutputExpiredException>(() => _client.Call("fc-never").GetAsync<int>(TimeSpan.Zero));
    }

    [Fact]
    public async Task Announce_OncePerPoolThenAgainOnlyAfterFiveSeconds()
    {
        var square = _client.Function("inference", "square");

        await square.SendAsync([1]);
        await square.SendAsync([2]);
        _time.Advance(TimeSpan.FromSeconds(5));
        await square.SendAsync([3]);

        Assert.Equal(2, _transport.Announced.Count);
        Assert.All(_transport.Announced, a => Assert.Equal("inference.square", a.Queue));
    }

    [Fact]
    public async Task Cls_WithParameters_SendsTheCompleteSetToItsOwnPool()
    {
        var model = _client.Cls("inference", "Model").With(new { Name = "llama" });

        await model.Method("generate").SendAsync(["hi"]);

        var sent = Assert.Single(_transport.Sent);
        Assert.Equal("model", sent.Class);
        Assert.Equal("generate", sent.Function);
        Assert.Equal("{\"name\":\"llama\",\"size\":100}", sent.Parameters!.Value.GetRawText());
        var demand = Assert.Single(_transport.Announced);
        Assert.Equal(model.Queue, demand.Queue);
        Assert.StartsWith("inference.model.p-", model.Queue, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3_000_000_000L)]
    [InlineData(-3_000_000_000L)]
    [InlineData(3_000_000_000u)]
    public async Task Cls_WithIntParameterOutOfRange_IsRefusedBeforeAnyPoolIsNamed(object size)
    {
        var error = Assert.Throws<ParameterException>(() => _client.Cls("inference", "Model").With(new { Name = "llama", Size = size }));
        var alsoByName = Assert.Throws<ParameterException>(() => _client.Cls("inference", "Model").With([new("name", "llama"), new("size", size)]));

        Assert.Contains("'size' of inference.model expects int (a whole number from -2147483648 to 2147483647)", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, alsoByName.Message);
        await _client.Cls("inference", "Model").With(new { Name = "llama", Size = int.MaxValue }).Method("generate").SendAsync(["hi"]);
        Assert.Equal("{\"name\":\"llama\",\"size\":2147483647}", Assert.Single(_transport.Sent).Parameters!.Value.GetRawText());
        Assert.Single(_transport.Announced);
    }

    [Fact]
    public void Lookups_UnknownNames_ListWhatIsKnown()
    {
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => _client.Function("inference", "cube")).Message, StringComparison.Ordinal);
        Assert.Contains("inference", Assert.Throws<ArgumentException>(() => _client.Function("nope", "square")).Message, StringComparison.Ordinal);
        Assert.Contains("generate", Assert.Throws<ArgumentException>(() => _client.Cls("inference", "model").With(new { name = "x" }).Method("embed")).Message, StringComparison.Ordinal);
    }
}
