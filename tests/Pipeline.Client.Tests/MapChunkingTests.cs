using Microsoft.Extensions.Time.Testing;
using Pipeline.Client.Calls;
using Pipeline.Client.Targets;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.Client.Tests;

/// <summary>
/// A map carries several inputs per message when they are short, one per message when they are long, and each input
/// keeps its own outcome and retries.
/// </summary>
public sealed class MapChunkingTests
{
    private readonly FakeTransport _transport = new();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly SignallingTimeProvider _time = new();
    private readonly PipelineClient _client;

    public MapChunkingTests()
    {
        _client = new PipelineClient(_transport, new ManifestCatalog([TestApps.Inference]), new InMemoryResultStore(_time), _time);
    }

    [Fact]
    public async Task MapAsync_ShortInputs_GoUpToMaxChunkSizePerMessageInOrderWithinMaxInFlight()
    {
        _transport.Answer = invocation => Task.FromResult(Took(invocation, TimeSpan.FromMicroseconds(5)));

        var results = await _client.Function("inference", "square").MapAsync<int>(Enumerable.Range(0, 3000).Cast<object?>()).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 3000), results);
        Assert.Equal(100, _transport.Chunks.Max(c => c.Inputs.Count));
        Assert.True(_transport.Chunks.Count < 3000 / 10, $"{_transport.Chunks.Count} messages for 3000 short inputs");
        Assert.InRange(_transport.MaxInFlight, 1, 1000);
        Assert.Equal(3000, _transport.Sent.Select(s => s.CallId).Distinct().Count());
    }

    [Fact]
    public async Task MapAsync_LongInputs_GoOnePerMessage()
    {
        _transport.Answer = invocation => Task.FromResult(Took(invocation, TimeSpan.FromSeconds(2)));

        var results = await _client.Function("inference", "square").MapAsync<int>(Enumerable.Range(0, 300).Cast<object?>()).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 300), results);
        Assert.All(_transport.Chunks, c => Assert.Single(c.Inputs));
    }

    [Fact]
    public async Task MapAsync_BeforeTheFirstOutcome_SendsSingleInputsAndAtMostTheProbeLimit()
    {
        var release = new TaskCompletionSource();
        var probesArrived = new TaskCompletionSource();
        var arrived = 0;
        _transport.Answer = async invocation =>
        {
            if (Interlocked.Increment(ref arrived) == MapRun.ProbeInFlight)
            {
                probesArrived.SetResult();
            }

            await release.Task;
            return Took(invocation, TimeSpan.FromSeconds(30));
        };

        var map = _client.Function("inference", "square").MapAsync<int>(Enumerable.Range(0, 500).Cast<object?>()).ToListAsync().AsTask();
        await probesArrived.Task.WaitAsync(Patience);

        // No outcome has come back, so nothing may be sent beyond the probe limit, whenever this looks.
        Assert.Equal(MapRun.ProbeInFlight, _transport.Sent.Count);
        Assert.All(_transport.Chunks, c => Assert.Single(c.Inputs));
        release.SetResult();
        Assert.Equal(Enumerable.Range(0, 500), await map);
    }

    [Fact]
    public async Task MapAsync_MaxChunkSizeOne_SendsOneInputPerMessage()
    {
        _transport.Answer = invocation => Task.FromResult(Took(invocation, TimeSpan.Zero));

        var results = await _client.Function("inference", "square").MapAsync<int>(Enumerable.Range(0, 400).Cast<object?>(), new MapOptions { MaxChunkSize = 1 }).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 400), results);
        Assert.Equal(400, _transport.Chunks.Count);
    }

    [Fact]
    public async Task MapAsync_WorkerAsksForARetry_SendsThatInputAgainAfterTheDelayWithItsAttemptRaised()
    {
        _transport.Answer = invocation => Task.FromResult(invocation.Args!.Value[0].GetInt32() == 3 && invocation.Attempt == 1
            ? new InvocationCompleted { CallId = invocation.CallId, Status = InvocationStatus.Failed, Attempts = 1, Error = new RemoteError("System.Exception", "flaky", null) }
            : Took(invocation, TimeSpan.Zero) with { Attempts = invocation.Attempt });
        _transport.ChunkAnswer = outcome => new ChunkOutcome
        {
            Outcome = outcome,
            RetryAfter = outcome.Status == InvocationStatus.Failed ? TimeSpan.FromSeconds(2) : null,
        };

        var map = _client.Function("inference", "square").MapAsync<int>(Enumerable.Range(0, 6).Cast<object?>()).ToListAsync().AsTask();

        // The client waits on its clock before resending: once that wait is set up, nothing more may go until time moves.
        Assert.Equal(TimeSpan.FromSeconds(2), await _time.FirstTimer.WaitAsync(Patience));
        Assert.False(map.IsCompleted);
        Assert.Equal(6, _transport.Sent.Count);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(Enumerable.Range(0, 6), await map);
        var three = _transport.Sent.Where(s => s.Args!.Value[0].GetInt32() == 3).ToList();
        Assert.Equal([1, 2], three.Select(s => s.Attempt));
        Assert.Single(three.Select(s => s.CallId).Distinct());
    }

    [Fact]
    public async Task MapResultsAsync_AFinalFailure_StaysInItsPlace()
    {
        _transport.Answer = invocation => Task.FromResult(invocation.Args!.Value[0].GetInt32() == 150
            ? new InvocationCompleted { CallId = invocation.CallId, Status = InvocationStatus.Failed, Attempts = 1, Error = new RemoteError("System.Exception", "one-fifty", null) }
            : Took(invocation, TimeSpan.Zero));

        var results = new List<MapResult<int>>();
        await foreach (var result in _client.Function("inference", "square").MapResultsAsync<int>(Enumerable.Range(0, 300).Cast<object?>()))
        {
            results.Add(result);
        }

        Assert.Equal(Enumerable.Range(0, 300), results.Select(r => r.Index));
        Assert.Equal("one-fifty", Assert.Single(results, r => !r.Succeeded).Error!.RemoteMessage);
        Assert.Contains(_transport.Chunks, c => c.Inputs.Count > 1);
    }

    [Fact]
    public async Task MapAsync_WorkerAnswersWithTheWrongNumberOfOutcomes_ThrowsNamingTheMismatch()
    {
        var transport = new MiscountingTransport();
        var client = new PipelineClient(transport, new ManifestCatalog([TestApps.Inference]), new InMemoryResultStore(_time), _time);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.Function("inference", "square").MapAsync<int>([1, 2]).ToListAsync().AsTask());

        Assert.Contains("answered a chunk of 1 inputs with 0 outcomes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(RunInvocationChunk.MaxInputs + 1)]
    public async Task MapAsync_MaxChunkSizeOutOfRange_ThrowsNamingTheSetting(int size)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            _client.Function("inference", "square").MapAsync<int>([1], new MapOptions { MaxChunkSize = size }).ToListAsync().AsTask());

        Assert.Contains("MapOptions.MaxChunkSize must be between 1 and 1000", error.Message, StringComparison.Ordinal);
    }

    private static InvocationCompleted Took(RunInvocation invocation, TimeSpan took)
    {
        var started = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
        return FakeTransport.Succeed(invocation, invocation.Args!.Value[0]) with { StartedAt = started, FinishedAt = started + took };
    }

    /// <summary>A fake clock that says when the first timer is set, and for how long.</summary>
    private sealed class SignallingTimeProvider : FakeTimeProvider
    {
        private readonly TaskCompletionSource<TimeSpan> _firstTimer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<TimeSpan> FirstTimer => _firstTimer.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _firstTimer.TrySetResult(dueTime);
            return timer;
        }
    }

    private sealed class MiscountingTransport : Transport.IInvocationTransport
    {
        public Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<InvocationChunkCompleted> RequestChunkAsync(string queue, RunInvocationChunk chunk, CancellationToken cancellationToken) =>
            Task.FromResult(new InvocationChunkCompleted { Outcomes = [] });

        public Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CancelAsync(CancelInvocation cancel, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
