using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Pipeline.Client.Targets;
using Pipeline.Messages.Invocations;

namespace Pipeline.Client.Calls;

/// <summary>
/// One <c>map</c>: sends the inputs in chunks (several inputs per message) and yields each input's outcome, in input or
/// completion order, with at most <see cref="MapOptions.MaxInFlight"/> inputs sent and not yet yielded.
/// <para>
/// Chunks are sized from the outcomes so far, to hold about <see cref="ChunkWork"/> of work: a no-op goes 100 to a
/// message, a function of a second or more goes one to a message, so long work still spreads over every container.
/// Until the first chunk comes back the size is unknown: inputs go one per message, and at most
/// <see cref="ProbeInFlight"/> of them, so that a long GPU function is never packed blind onto one container.
/// </para>
/// <para>
/// Each input has its own outcome. When the worker says an input's retry policy wants another attempt, this map sends
/// that input again after the delay, with its attempt raised: a map's results go only to its caller, so the caller
/// holds its retries (a spawned call's are held by the worker hosts, in PostgreSQL).
/// </para>
/// </summary>
internal sealed class MapRun
{
    /// <summary>The work one chunk should hold, from the inputs' measured run times.</summary>
    public static readonly TimeSpan ChunkWork = TimeSpan.FromMilliseconds(10);

    /// <summary>Inputs in flight before the first outcome says how long one takes.</summary>
    public const int ProbeInFlight = 64;

    private readonly PipelineClient _client;
    private readonly CallTarget _target;
    private readonly MapOptions _options;
    private readonly Lock _gate = new();
    private double? _secondsPerInput;

    public MapRun(PipelineClient client, CallTarget target, MapOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlight, 1, nameof(options));
        if (options.MaxChunkSize is < 1 or > RunInvocationChunk.MaxInputs)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxChunkSize, $"MapOptions.MaxChunkSize must be between 1 and {RunInvocationChunk.MaxInputs}.");
        }

        _client = client;
        _target = target;
        _options = options;
    }

    /// <summary>Runs the map: each input's index and outcome, as they are due.</summary>
    public async IAsyncEnumerable<(int Index, InvocationCompleted Outcome)> RunAsync(
        IEnumerable<IReadOnlyList<object?>> inputs,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new Dictionary<int, Task<InvocationCompleted>>();
        var finished = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
        var chunks = new List<Task>();
        using var source = inputs.GetEnumerator();
        var next = 0;
        var nextInOrder = 0;
        var more = true;
        try
        {
            while (true)
            {
                // Send whole chunks only: topping up one input at a time as results are taken would send chunks of one.
                while (more)
                {
                    var (limit, size) = Plan();
                    var room = limit - pending.Count;
                    if (room < size)
                    {
                        break;
                    }

                    var chunk = new List<(int Index, ChunkInput Input, TaskCompletionSource<InvocationCompleted> Sink)>(size);
                    while (chunk.Count < size && (more = source.MoveNext()))
                    {
                        var sink = new TaskCompletionSource<InvocationCompleted>(TaskCreationOptions.RunContinuationsAsynchronously);
                        var index = next++;
                        pending.Add(index, sink.Task);
                        if (!_options.OrderOutputs)
                        {
                            _ = sink.Task.ContinueWith(_ => finished.Writer.TryWrite(index), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                        }

                        chunk.Add((index, PipelineClient.BuildInput(source.Current), sink));
                    }

                    if (chunk.Count > 0)
                    {
                        chunks.RemoveAll(static c => c.IsCompleted);
                        chunks.Add(SendAsync(chunk, stop.Token));
                    }
                }

                if (pending.Count == 0)
                {
                    yield break;
                }

                var due = _options.OrderOutputs ? nextInOrder++ : await finished.Reader.ReadAsync(stop.Token).ConfigureAwait(false);
                var outcome = pending[due];
                pending.Remove(due);
                yield return (due, await outcome.ConfigureAwait(false));
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(chunks).ConfigureAwait(false);
        }
    }

    // How many inputs may be in flight now, and how many go in the next chunk.
    private (int Limit, int Size) Plan()
    {
        double? seconds;
        lock (_gate)
        {
            seconds = _secondsPerInput;
        }

        if (seconds is null)
        {
            return (Math.Min(_options.MaxInFlight, ProbeInFlight), 1);
        }

        // At least four chunks in flight, so a small MaxInFlight still spreads over several containers.
        var cap = Math.Min(_options.MaxChunkSize, Math.Max(1, _options.MaxInFlight / 4));
        var fits = seconds.Value <= 0 ? cap : (int)Math.Min(cap, ChunkWork.TotalSeconds / seconds.Value);
        return (_options.MaxInFlight, Math.Clamp(fits, 1, cap));
    }

    // Sends one chunk and settles each of its inputs; never throws (a failure settles the inputs instead).
    private async Task SendAsync(IReadOnlyList<(int Index, ChunkInput Input, TaskCompletionSource<InvocationCompleted> Sink)> chunk, CancellationToken cancellationToken)
    {
        InvocationChunkCompleted reply;
        try
        {
            reply = await _client.RequestChunkAsync(_target, Message(chunk), cancellationToken).ConfigureAwait(false);
            if (reply.Outcomes is null || reply.Outcomes.Count != chunk.Count)
            {
                throw new InvalidOperationException(
                    $"The worker answered a chunk of {chunk.Count} inputs with {reply.Outcomes?.Count ?? 0} outcomes. Run worker hosts of the same Pipeline version as this client.");
            }
        }
        catch (Exception e)
        {
            foreach (var (_, _, sink) in chunk)
            {
                if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    sink.TrySetCanceled(cancellationToken);
                }
                else
                {
                    sink.TrySetException(e);
                }
            }

            return;
        }

        Learn(reply.Outcomes);
        var retries = new List<(TimeSpan Delay, (int, ChunkInput, TaskCompletionSource<InvocationCompleted>) Input)>();
        for (var i = 0; i < chunk.Count; i++)
        {
            var (index, input, sink) = chunk[i];
            var outcome = reply.Outcomes[i];
            if (outcome.RetryAfter is { } delay)
            {
                retries.Add((delay, (index, input with { Attempt = outcome.Outcome.Attempts + 1 }, sink)));
            }
            else
            {
                sink.TrySetResult(outcome.Outcome);
            }
        }

        if (retries.Count > 0)
        {
            await Task.WhenAll(retries.GroupBy(r => r.Delay).Select(g => RetryAsync(g.Key, g.Select(r => r.Input).ToList(), cancellationToken))).ConfigureAwait(false);
        }
    }

    private async Task RetryAsync(TimeSpan delay, IReadOnlyList<(int Index, ChunkInput Input, TaskCompletionSource<InvocationCompleted> Sink)> inputs, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _client.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (var (_, _, sink) in inputs)
            {
                sink.TrySetCanceled(cancellationToken);
            }

            return;
        }

        await SendAsync(inputs, cancellationToken).ConfigureAwait(false);
    }

    private RunInvocationChunk Message(IReadOnlyList<(int Index, ChunkInput Input, TaskCompletionSource<InvocationCompleted> Sink)> chunk) => new()
    {
        App = _target.App,
        Class = _target.Class,
        Function = _target.Function,
        Parameters = _target.Parameters,
        Inputs = chunk.Select(c => c.Input).ToList(),
        SentAt = _client.Time.GetUtcNow(),
    };

    // The mean run time of the chunk's inputs that ran, blended with what was known.
    private void Learn(IReadOnlyList<ChunkOutcome> outcomes)
    {
        var total = 0.0;
        var ran = 0;
        foreach (var outcome in outcomes)
        {
            var o = outcome.Outcome;
            if (o is not null && o.StartedAt != default && o.FinishedAt >= o.StartedAt)
            {
                total += (o.FinishedAt - o.StartedAt).TotalSeconds;
                ran++;
            }
        }

        if (ran == 0)
        {
            return;
        }

        var mean = total / ran;
        lock (_gate)
        {
            _secondsPerInput = _secondsPerInput is { } known ? (known + mean) / 2 : mean;
        }
    }
}
