using System.Text.Json;

namespace Pipeline.Cli.Pools;

/// <summary>One pool as <c>pipeline pools</c> shows it.</summary>
/// <param name="Pool">The pool queue.</param>
/// <param name="App">The app.</param>
/// <param name="Kind"><c>function</c> or <c>class</c>.</param>
/// <param name="Target">The function or class.</param>
/// <param name="Parameters">A class pool's complete parameter set; null for a function.</param>
/// <param name="Ready">Inputs waiting, counted now.</param>
/// <param name="Unacked">Inputs delivered and running (the management API's sample, up to ~5 s old).</param>
/// <param name="Containers">
/// Containers serving it, across all hosts: each holds a lease queue on the broker (at least the consumers on the queue,
/// one per host serving it, for hosts of older versions that took no lease).
/// </param>
/// <param name="DeadLetters">Inputs in the pool's <c>_error</c> queue (see <c>pipeline dlq list</c>).</param>
/// <param name="Running">The containers per host, with their lease slot and GPU indices.</param>
internal sealed record PoolView(string Pool, string App, string Kind, string Target, JsonElement? Parameters, long Ready, long Unacked, int Containers, long DeadLetters, IReadOnlyList<PoolContainerView> Running)
{
    /// <summary>Inputs wait and no container serves the pool: no live host serves its app (or none has room), so its callers wait.</summary>
    public bool Unserved => Ready > 0 && Containers == 0;
}
