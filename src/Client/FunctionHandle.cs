using System.Runtime.CompilerServices;
using System.Text.Json;
using Pipeline.Client.Targets;
using Pipeline.Messages.Invocations;

namespace Pipeline.Client;

/// <summary>
/// A function, or a method of a class instance, to call: <see cref="RemoteAsync{TResult}(IReadOnlyList{object?}, CancellationToken)"/>
/// waits for the result, <see cref="SpawnAsync(IReadOnlyList{object?}, CancellationToken)"/> returns a handle,
/// <see cref="MapAsync{TResult}"/> runs many inputs, <see cref="SendAsync(IReadOnlyList{object?}, CancellationToken)"/> forgets.
/// Arguments are positional and travel as JSON.
/// </summary>
public sealed class FunctionHandle
{
    private readonly PipelineClient _client;

    internal FunctionHandle(PipelineClient client, CallTarget target)
    {
        _client = client;
        Target = target;
    }

    /// <summary>The pool queue this function's inputs go to.</summary>
    public string Queue => Target.Queue;

    internal CallTarget Target { get; }

    /// <summary>Calls the function with no arguments and waits for its result (Modal's <c>.remote()</c>).</summary>
    /// <typeparam name="TResult">The type to read the result as.</typeparam>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="RemoteException">The function failed, timed out, or the input was rejected.</exception>
    public Task<TResult> RemoteAsync<TResult>(CancellationToken cancellationToken = default) => RemoteAsync<TResult>([], cancellationToken);

    /// <summary>Calls the function and waits for its result (Modal's <c>.remote(*args)</c>).</summary>
    /// <typeparam name="TResult">The type to read the result as.</typeparam>
    /// <param name="args">The positional arguments.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="RemoteException">The function failed, timed out, or the input was rejected.</exception>
    public async Task<TResult> RemoteAsync<TResult>(IReadOnlyList<object?> args, CancellationToken cancellationToken = default)
    {
        var outcome = await _client.RequestAsync(Target, args, cancellationToken).ConfigureAwait(false);
        return Unwrap<TResult>(outcome);
    }

    /// <summary>Starts the function without waiting (Modal's <c>.spawn()</c>); the result is kept for <c>get</c> by id.</summary>
    /// <param name="cancellationToken">Cancels sending.</param>
    public Task<FunctionCall> SpawnAsync(CancellationToken cancellationToken = default) => SpawnAsync([], cancellationToken);

    /// <summary>Starts the function without waiting (Modal's <c>.spawn(*args)</c>); the result is kept for <c>get</c> by id.</summary>
    /// <param name="args">The positional arguments.</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    public async Task<FunctionCall> SpawnAsync(IReadOnlyList<object?> args, CancellationToken cancellationToken = default)
    {
        var id = await _client.SendAsync(Target, args, storeResult: true, cancellationToken).ConfigureAwait(false);
        return new FunctionCall(_client, id);
    }

    /// <summary>Fire and forget: sends the input durably and keeps no result. Returns the call id for logs.</summary>
    /// <param name="args">The positional arguments.</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    public Task<string> SendAsync(IReadOnlyList<object?> args, CancellationToken cancellationToken = default) =>
        _client.SendAsync(Target, args, storeResult: false, cancellationToken);

    /// <summary>
    /// Calls the function once per input, each input being its single argument (Modal's <c>.map()</c>), with at most
    /// <see cref="MapOptions.MaxInFlight"/> inputs outstanding. Results stream back in input order unless
    /// <see cref="MapOptions.OrderOutputs"/> is false. The first failure throws.
    /// </summary>
    /// <typeparam name="TResult">The type to read each result as.</typeparam>
    /// <param name="inputs">One argument per call.</param>
    /// <param name="options">Ordering and in-flight limit.</param>
    /// <param name="cancellationToken">Stops the map.</param>
    public IAsyncEnumerable<TResult> MapAsync<TResult>(IEnumerable<object?> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        StarMapAsync<TResult>(inputs.Select(input => (IReadOnlyList<object?>)[input]), options, cancellationToken);

    /// <summary>Like <see cref="MapAsync{TResult}"/>, with each input a list of positional arguments (Modal's <c>.starmap()</c>).</summary>
    /// <typeparam name="TResult">The type to read each result as.</typeparam>
    /// <param name="inputs">The argument lists.</param>
    /// <param name="options">Ordering and in-flight limit.</param>
    /// <param name="cancellationToken">Stops the map.</param>
    public async IAsyncEnumerable<TResult> StarMapAsync<TResult>(
        IEnumerable<IReadOnlyList<object?>> inputs,
        MapOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new MapOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlight, 1, nameof(options));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new List<Task<InvocationCompleted>>();
        using var source = inputs.GetEnumerator();
        try
        {
            while (true)
            {
                while (inFlight.Count < options.MaxInFlight && source.MoveNext())
                {
                    inFlight.Add(_client.RequestAsync(Target, source.Current, stop.Token));
                }

                if (inFlight.Count == 0)
                {
                    yield break;
                }

                var next = options.OrderOutputs ? inFlight[0] : await Task.WhenAny(inFlight).ConfigureAwait(false);
                inFlight.Remove(next);
                yield return Unwrap<TResult>(await next.ConfigureAwait(false));
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(inFlight).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    internal static TResult Unwrap<TResult>(InvocationCompleted outcome)
    {
        if (outcome.Status != InvocationStatus.Succeeded)
        {
            throw new RemoteException(outcome.CallId, outcome.Status, outcome.Error ?? new RemoteError("Unknown", $"The call ended {outcome.Status} without an error.", null));
        }

        return outcome.Value is { } value ? value.Deserialize<TResult>(PayloadJson.Options)! : default!;
    }
}
