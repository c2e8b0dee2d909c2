using System.Collections.Concurrent;
using System.Text.Json;
using Pipeline.Client.Transport;
using Pipeline.Messages.Invocations;

namespace Pipeline.Client.Tests;

/// <summary>Answers requests with a function of the input, after a gate the test controls; counts what is in flight.</summary>
internal sealed class FakeTransport : IInvocationTransport
{
    private int _inFlight;

    public Func<RunInvocation, Task<InvocationCompleted>> Answer { get; set; } = invocation => Task.FromResult(Succeed(invocation, invocation.Args!.Value[0]));

    public int MaxInFlight { get; private set; }

    public ConcurrentQueue<RunInvocation> Sent { get; } = new();

    public ConcurrentQueue<PoolDemanded> Announced { get; } = new();

    public async Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _inFlight);
        lock (this)
        {
            MaxInFlight = Math.Max(MaxInFlight, now);
        }

        try
        {
            Sent.Enqueue(invocation);
            return await Answer(invocation).WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public ConcurrentQueue<RunInvocationChunk> Chunks { get; } = new();

    /// <summary>Answers each input of the chunk as <see cref="Answer"/> would a single one; the reply waits for all of them.</summary>
    public async Task<InvocationChunkCompleted> RequestChunkAsync(string queue, RunInvocationChunk chunk, CancellationToken cancellationToken)
    {
        Chunks.Enqueue(chunk);
        var outcomes = await Task.WhenAll(chunk.Inputs.Select((_, i) => RequestAsync(queue, chunk.Expand(i), cancellationToken)));
        return new InvocationChunkCompleted { Outcomes = outcomes.Select(o => ChunkAnswer(o)).ToList() };
    }

    /// <summary>Turns an outcome into a chunk's outcome; a test may ask for a retry instead.</summary>
    public Func<InvocationCompleted, ChunkOutcome> ChunkAnswer { get; set; } = outcome => new ChunkOutcome { Outcome = outcome };

    public Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken)
    {
        Sent.Enqueue(invocation);
        return Task.CompletedTask;
    }

    public Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken)
    {
        Announced.Enqueue(demand);
        return Task.CompletedTask;
    }

    public ConcurrentQueue<CancelInvocation> Cancelled { get; } = new();

    public Task CancelAsync(CancelInvocation cancel, CancellationToken cancellationToken)
    {
        Cancelled.Enqueue(cancel);
        return Task.CompletedTask;
    }

    public static InvocationCompleted Succeed(RunInvocation invocation, JsonElement value) => new()
    {
        CallId = invocation.CallId,
        Status = InvocationStatus.Succeeded,
        Value = value.Clone(),
        Attempts = 1,
    };
}
