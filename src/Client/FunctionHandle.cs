using System.Runtime.CompilerServices;
using System.Text.Json;
using Pipeline.Client.Calls;
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
    public Task<FunctionCall> SpawnAsync(IReadOnlyList<object?> args, CancellationToken cancellationToken = default) =>
        SpawnAsync(args, new CallOptions(), cancellationToken);

    /// <summary>Starts the function without waiting, with options such as an idempotency key.</summary>
    /// <param name="args">The positional arguments.</param>
    /// <param name="options">The call's options.</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    public async Task<FunctionCall> SpawnAsync(IReadOnlyList<object?> args, CallOptions options, CancellationToken cancellationToken = default)
    {
        var id = await _client.SendAsync(Target, args, storeResult: true, options, cancellationToken).ConfigureAwait(false);
        return new FunctionCall(_client, id);
    }

    /// <summary>Fire and forget: sends the input durably and keeps no result. Returns the call id for logs.</summary>
    /// <param name="args">The positional arguments.</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    public Task<string> SendAsync(IReadOnlyList<object?> args, CancellationToken cancellationToken = default) =>
        SendAsync(args, new CallOptions(), cancellationToken);

    /// <summary>Fire and forget, with options such as an idempotency key. Returns the call id.</summary>
    /// <param name="args">The positional arguments.</param>
    /// <param name="options">The call's options.</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    public Task<string> SendAsync(IReadOnlyList<object?> args, CallOptions options, CancellationToken cancellationToken = default) =>
        _client.SendAsync(Target, args, storeResult: false, options, cancellationToken);

    /// <summary>
    /// Calls the function once per input, each input being its single argument (Modal's <c>.map()</c>), with at most
    /// <see cref="MapOptions.MaxInFlight"/> inputs outstanding. Results stream back in input order unless
    /// <see cref="MapOptions.OrderOutputs"/> is false. The first failure throws. Inputs of short functions travel
    /// several to a message (see <see cref="MapOptions.MaxChunkSize"/>); each keeps its own result, retries and error.
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
        await foreach (var (_, outcome) in RunMapAsync(inputs, options, cancellationToken).ConfigureAwait(false))
        {
            yield return Unwrap<TResult>(outcome);
        }
    }

    /// <summary>
    /// Like <see cref="MapAsync{TResult}"/>, but a failed input does not stop the map: each result says whether its input
    /// succeeded, and carries the value or the error in its place (Modal's <c>.map(..., return_exceptions=True)</c>).
    /// </summary>
    /// <typeparam name="TResult">The type to read each value as.</typeparam>
    /// <param name="inputs">One argument per call.</param>
    /// <param name="options">Ordering and in-flight limit.</param>
    /// <param name="cancellationToken">Stops the map.</param>
    public IAsyncEnumerable<MapResult<TResult>> MapResultsAsync<TResult>(IEnumerable<object?> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) =>
        StarMapResultsAsync<TResult>(inputs.Select(input => (IReadOnlyList<object?>)[input]), options, cancellationToken);

    /// <summary>Like <see cref="MapResultsAsync{TResult}"/>, with each input a list of positional arguments.</summary>
    /// <typeparam name="TResult">The type to read each value as.</typeparam>
    /// <param name="inputs">The argument lists.</param>
    /// <param name="options">Ordering and in-flight limit.</param>
    /// <param name="cancellationToken">Stops the map.</param>
    public async IAsyncEnumerable<MapResult<TResult>> StarMapResultsAsync<TResult>(
        IEnumerable<IReadOnlyList<object?>> inputs,
        MapOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (index, outcome) in RunMapAsync(inputs, options, cancellationToken).ConfigureAwait(false))
        {
            MapResult<TResult> result;
            try
            {
                result = new MapResult<TResult>(index, Unwrap<TResult>(outcome), null);
            }
            catch (RemoteException e)
            {
                result = new MapResult<TResult>(index, default, e);
            }

            yield return result;
        }
    }

    private IAsyncEnumerable<(int Index, InvocationCompleted Outcome)> RunMapAsync(
        IEnumerable<IReadOnlyList<object?>> inputs,
        MapOptions? options,
        CancellationToken cancellationToken) =>
        new MapRun(_client, Target, options ?? new MapOptions()).RunAsync(inputs, cancellationToken);

    internal static TResult Unwrap<TResult>(InvocationCompleted outcome)
    {
        if (outcome.Status != InvocationStatus.Succeeded)
        {
            // The subtype says how it ended (FunctionTimeoutException...); catch (RemoteException) still catches them all.
            throw RemoteExceptions.From(outcome.CallId, outcome.Status, outcome.Error);
        }

        return outcome.Value is { } value ? value.Deserialize<TResult>(PayloadJson.Options)! : default!;
    }
}
