using System.Text.Json;

namespace Pipeline.Messages.Invocations;

/// <summary>
/// A caller sent input to a pool: worker hosts that can serve it start a container if none runs.
/// Published to every host; a notice that is lost is made good by the hosts' reconciliation.
/// </summary>
public sealed record PoolDemanded
{
    /// <summary>The pool's queue name.</summary>
    public required string Queue { get; init; }

    /// <summary>The app name.</summary>
    public required string App { get; init; }

    /// <summary>The class name, for a class pool.</summary>
    public string? Class { get; init; }

    /// <summary>The function name, for a function pool.</summary>
    public string? Function { get; init; }

    /// <summary>The class parameters as a JSON object, for a class pool.</summary>
    public JsonElement? Parameters { get; init; }
}
