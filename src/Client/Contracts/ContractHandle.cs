using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Pipeline.Client.Contracts;
using System.Text.Json;
using Pipeline.Client.Targets;
using Pipeline.Contracts;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Client;

/// <summary>
/// Typed calls to a <see cref="ContractAttribute"/> interface: its functions (<c>client.Function&lt;IJobs&gt;()</c>) or
/// one parameter set of its class (<c>client.Cls&lt;IModel, ModelParameters&gt;(new("llama", Size: 7))</c>). Each call
/// is a lambda the compiler checks against the interface: <c>RemoteAsync(m =&gt; m.GenerateAsync("hi", ct))</c>. The
/// method's <see cref="CancellationToken"/> argument is the call's token; every other argument travels positionally,
/// exactly as <see cref="FunctionHandle"/> sends it.
/// </summary>
/// <typeparam name="TContract">The contract interface.</typeparam>
public sealed class ContractHandle<TContract>
    where TContract : class
{
    private readonly IPipelineClient _client;
    private readonly ContractDescription _contract;
    private readonly ParameterSet? _parameters;
    private readonly object? _record;
    private readonly JsonElement? _parametersJson;
    private readonly ConcurrentDictionary<MethodInfo, FunctionHandle> _handles = new();

    internal ContractHandle(IPipelineClient client, ContractDescription contract, ParameterSet? parameters, object? record)
    {
        _client = client;
        _contract = contract;
        _parameters = parameters;
        _record = record;
        if (parameters is not null)
        {
            Queue = QueueNames.ForClass(contract.App, contract.ClassName!, parameters);
            _parametersJson = JsonDocument.Parse(parameters.ToJson()).RootElement.Clone();
        }
    }

    /// <summary>A class's pool queue (the same name the untyped <c>Cls(app, name).With(...)</c> gives); null for functions, which have a queue each.</summary>
    public string? Queue { get; }

    /// <summary>The untyped handle of one contract method, for what the typed calls do not cover (idempotency keys...).</summary>
    /// <param name="method">The contract method, for example <c>typeof(IJobs).GetMethod("SquareAsync")</c>.</param>
    /// <exception cref="ArgumentException">The method is not one of the contract's.</exception>
    public FunctionHandle Untyped(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return _contract.Methods.TryGetValue(method, out var found)
            ? Handle(found)
            : throw new ArgumentException($"{method.Name} is not a method of {_contract.Type.Name}.", nameof(method));
    }

    /// <summary>Calls an async method and waits for its result (Modal's <c>.remote()</c>).</summary>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="call">The call, for example <c>m =&gt; m.GenerateAsync("hi", ct)</c>.</param>
    /// <exception cref="RemoteException">A subtype saying how the call failed: <see cref="FunctionTimeoutException"/>, <see cref="RemoteFailedException"/>...</exception>
    public Task<TResult> RemoteAsync<TResult>(Expression<Func<TContract, Task<TResult>>> call) => RemoteCoreAsync<TResult>(call);

    /// <summary>Calls a <see cref="ValueTask{TResult}"/> method and waits for its result.</summary>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="call">The call.</param>
    /// <exception cref="RemoteException">A subtype saying how the call failed.</exception>
    public Task<TResult> RemoteAsync<TResult>(Expression<Func<TContract, ValueTask<TResult>>> call) => RemoteCoreAsync<TResult>(call);

    /// <summary>Calls a synchronous method (<c>int Square(int x)</c>) and waits for its result.</summary>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="call">The call, for example <c>j =&gt; j.Square(7)</c>.</param>
    /// <exception cref="RemoteException">A subtype saying how the call failed.</exception>
    public Task<TResult> RemoteAsync<TResult>(Expression<Func<TContract, TResult>> call) => RemoteCoreAsync<TResult>(call);

    /// <summary>Calls a method that returns no value and waits until it has run.</summary>
    /// <param name="call">The call, for example <c>j =&gt; j.CleanUpAsync(ct)</c>.</param>
    /// <exception cref="RemoteException">A subtype saying how the call failed.</exception>
    public Task RemoteAsync(Expression<Func<TContract, Task>> call) => RemoteCoreAsync<JsonElement?>(call);

    /// <summary>Starts an async method without waiting (Modal's <c>.spawn()</c>); get its result later, from any process, by id.</summary>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="call">The call.</param>
    /// <param name="options">The call's options, such as an idempotency key.</param>
    public Task<FunctionCall<TResult>> SpawnAsync<TResult>(Expression<Func<TContract, Task<TResult>>> call, CallOptions? options = null) =>
        SpawnCoreAsync<TResult>(call, options);

    /// <summary>Starts a synchronous method without waiting; get its result later by id.</summary>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="call">The call.</param>
    /// <param name="options">The call's options, such as an idempotency key.</param>
    public Task<FunctionCall<TResult>> SpawnAsync<TResult>(Expression<Func<TContract, TResult>> call, CallOptions? options = null) =>
        SpawnCoreAsync<TResult>(call, options);

    /// <summary>Fire and forget: sends the input durably and keeps no result. Returns the call id for logs.</summary>
    /// <typeparam name="TResult">The method's return type (unused).</typeparam>
    /// <param name="call">The call.</param>
    /// <param name="options">The call's options, such as an idempotency key.</param>
    public Task<string> SendAsync<TResult>(Expression<Func<TContract, TResult>> call, CallOptions? options = null)
    {
        var parsed = Parse(call);
        return Handle(parsed.Method).SendAsync(parsed.Arguments(), options ?? new CallOptions(), parsed.Token);
    }

    /// <summary>
    /// Calls an async method once per input (Modal's <c>.map()</c>): <c>MapAsync(numbers, (j, x) =&gt; j.SquareAsync(x, ct))</c>.
    /// Results stream back in input order (see <see cref="MapOptions"/>); the first failure throws its <see cref="RemoteException"/> subtype.
    /// The method's token, which must not depend on the input, stops the whole map.
    /// </summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="inputs">The inputs.</param>
    /// <param name="call">The call for one input.</param>
    /// <param name="options">Ordering, in-flight limit and chunking.</param>
    public IAsyncEnumerable<TResult> MapAsync<TIn, TResult>(IEnumerable<TIn> inputs, Expression<Func<TContract, TIn, Task<TResult>>> call, MapOptions? options = null) =>
        MapCore<TIn, TResult>(inputs, call, options);

    /// <summary>Calls a synchronous method once per input: <c>MapAsync(numbers, (j, x) =&gt; j.Square(x))</c>.</summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="inputs">The inputs.</param>
    /// <param name="call">The call for one input.</param>
    /// <param name="options">Ordering, in-flight limit and chunking.</param>
    public IAsyncEnumerable<TResult> MapAsync<TIn, TResult>(IEnumerable<TIn> inputs, Expression<Func<TContract, TIn, TResult>> call, MapOptions? options = null) =>
        MapCore<TIn, TResult>(inputs, call, options);

    /// <summary>
    /// Modal's <c>.starmap()</c>: each input is a pair spread over two arguments, <c>StarMapAsync(pairs, (j, a, b) =&gt; j.AddAsync(a, b, ct))</c>.
    /// (Any arity works through <see cref="MapAsync{TIn, TResult}(IEnumerable{TIn}, Expression{Func{TContract, TIn, Task{TResult}}}, MapOptions?)"/>
    /// with a tuple: <c>(j, t) =&gt; j.F(t.A, t.B, t.C, ct)</c>.)
    /// </summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="inputs">The argument pairs.</param>
    /// <param name="call">The call for one pair.</param>
    /// <param name="options">Ordering, in-flight limit and chunking.</param>
    public IAsyncEnumerable<TResult> StarMapAsync<T1, T2, TResult>(IEnumerable<(T1, T2)> inputs, Expression<Func<TContract, T1, T2, Task<TResult>>> call, MapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var parsed = Parse(call);
        return Handle(parsed.Method).StarMapAsync<TResult>(inputs.Select(pair => parsed.Arguments(pair.Item1, pair.Item2)), options, parsed.Token);
    }

    /// <summary>
    /// Like <see cref="MapAsync{TIn, TResult}(IEnumerable{TIn}, Expression{Func{TContract, TIn, Task{TResult}}}, MapOptions?)"/>,
    /// but a failed input does not stop the map: each result carries its value or its exception in place (Modal's
    /// <c>return_exceptions=True</c>).
    /// </summary>
    /// <typeparam name="TIn">The input type.</typeparam>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="inputs">The inputs.</param>
    /// <param name="call">The call for one input.</param>
    /// <param name="options">Ordering, in-flight limit and chunking.</param>
    public IAsyncEnumerable<MapResult<TResult>> MapResultsAsync<TIn, TResult>(IEnumerable<TIn> inputs, Expression<Func<TContract, TIn, Task<TResult>>> call, MapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var parsed = Parse(call);
        return Handle(parsed.Method).StarMapResultsAsync<TResult>(inputs.Select(input => parsed.Arguments(input)), options, parsed.Token);
    }

    private IAsyncEnumerable<TResult> MapCore<TIn, TResult>(IEnumerable<TIn> inputs, LambdaExpression call, MapOptions? options)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var parsed = Parse(call);
        return Handle(parsed.Method).StarMapAsync<TResult>(inputs.Select(input => parsed.Arguments(input)), options, parsed.Token);
    }

    private async Task<TResult> RemoteCoreAsync<TResult>(LambdaExpression call)
    {
        var parsed = Parse(call);
        return await Handle(parsed.Method).RemoteAsync<TResult>(parsed.Arguments(), parsed.Token).ConfigureAwait(false);
    }

    private async Task<FunctionCall<TResult>> SpawnCoreAsync<TResult>(LambdaExpression call, CallOptions? options)
    {
        var parsed = Parse(call);
        var spawned = await Handle(parsed.Method).SpawnAsync(parsed.Arguments(), options ?? new CallOptions(), parsed.Token).ConfigureAwait(false);
        return new FunctionCall<TResult>(spawned);
    }

    private CallExpression Parse(LambdaExpression call) => CallExpression.Parse(_contract, call);

    private FunctionHandle Handle(ContractMethod method) => _handles.GetOrAdd(method.Method, _ => _client switch
    {
        PipelineClient client => new FunctionHandle(
            client,
            _parameters is null
                ? new CallTarget(_contract.App, null, method.WireName, QueueNames.ForFunction(_contract.App, method.WireName), null)
                : new CallTarget(_contract.App, _contract.ClassName, method.WireName, Queue!, _parametersJson)),

        // Another implementation (a decorator over the real client, a fake) is asked by name through the interface:
        // it sees which function is called, and its handles say where the call goes.
        _ when _parameters is null => _client.Function(_contract.App, method.WireName),
        _ => _client.Cls(_contract.App, _contract.ClassName!).With(_record).Method(method.WireName),
    });
}
