namespace Pipeline.Client;

/// <summary>One input's result in a map that returns errors in place (<see cref="FunctionHandle.MapResultsAsync{TResult}"/>).</summary>
/// <typeparam name="TResult">The type of the value.</typeparam>
/// <param name="Index">The input's position, from 0.</param>
/// <param name="Value">The value, when the input succeeded.</param>
/// <param name="Error">The error, when it failed, timed out, was cancelled or rejected.</param>
public readonly record struct MapResult<TResult>(int Index, TResult? Value, RemoteException? Error)
{
    /// <summary>Whether the input succeeded.</summary>
    public bool Succeeded => Error is null;
}
