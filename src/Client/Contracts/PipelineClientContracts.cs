using Pipeline.Contracts;

namespace Pipeline.Client;

/// <summary>
/// Typed calls through contracts (interfaces marked <see cref="ContractAttribute"/>): the compiler checks method names,
/// argument types and result types. They sit on the untyped API and send exactly what it sends. Extension methods of
/// <see cref="IPipelineClient"/>, so a service that injects the interface makes them too. On a
/// <see cref="PipelineClient"/> they address the contract's queues directly (no manifest needed); on any other
/// implementation (a decorator, a fake) they go through its <see cref="IPipelineClient.Function"/>,
/// <see cref="IPipelineClient.Cls"/> and <see cref="IPipelineClient.Call"/>, which then see every typed call by name.
/// </summary>
public static class PipelineClientContracts
{
    /// <summary>The functions of a function-set contract: <c>await client.Function&lt;IJobs&gt;().RemoteAsync(j =&gt; j.Square(7))</c>.</summary>
    /// <typeparam name="TContract">The contract interface.</typeparam>
    /// <param name="client">The client.</param>
    /// <exception cref="InvalidOperationException">The interface is not a valid contract; the message says why.</exception>
    public static ContractHandle<TContract> Function<TContract>(this IPipelineClient client)
        where TContract : class
    {
        ArgumentNullException.ThrowIfNull(client);
        var contract = ContractDescription.Valid(typeof(TContract));
        return contract.ClassName is null
            ? new ContractHandle<TContract>(client, contract, null, null)
            : throw new InvalidOperationException($"{typeof(TContract).Name} is a class contract (it extends IParameterized<{contract.ParametersType!.Name}>). Call client.Cls<{typeof(TContract).Name}, {contract.ParametersType.Name}>(parameters).");
    }

    /// <summary>
    /// One parameter set of a class contract, and so one pool: <c>client.Cls&lt;IModel, ModelParameters&gt;(new("llama", Size: 7))</c>.
    /// The record's values (its defaults included) are bound and hashed exactly as <c>Cls(app, name).With(...)</c> does.
    /// </summary>
    /// <typeparam name="TContract">The contract interface.</typeparam>
    /// <typeparam name="TParameters">Its parameter record.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="parameters">The parameters.</param>
    /// <exception cref="InvalidOperationException">The interface is not a valid contract; the message says why.</exception>
    /// <exception cref="Pipeline.Messages.Parameters.ParameterException">A value is not allowed (a null string, a set over 16 KiB).</exception>
    public static ContractHandle<TContract> Cls<TContract, TParameters>(this IPipelineClient client, TParameters parameters)
        where TContract : class, IParameterized<TParameters>
        where TParameters : class
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);
        var contract = ContractDescription.Valid(typeof(TContract));
        return new ContractHandle<TContract>(client, contract, contract.Bind(parameters), parameters);
    }

    /// <summary>A spawned typed call, by id, from this or any other process. No I/O until used.</summary>
    /// <typeparam name="TResult">The method's result type.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="callId">The id from <see cref="FunctionCall{TResult}.Id"/>.</param>
    public static FunctionCall<TResult> Call<TResult>(this IPipelineClient client, string callId)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new FunctionCall<TResult>(client.Call(callId));
    }
}
