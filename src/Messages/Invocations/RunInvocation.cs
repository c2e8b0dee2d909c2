using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Messages.Invocations;

/// <summary>
/// The command to run one input of a function or class method. Sent to the pool's queue
/// (see <see cref="Naming.QueueNames"/>). Names only registered functions; never a .NET type or method.
/// </summary>
public sealed record RunInvocation
{
    /// <summary>The call id, <c>fc-</c> followed by 32 hex characters; the key of the result.</summary>
    public required string CallId { get; init; }

    /// <summary>The app name, as declared by <c>[App]</c> (normalized).</summary>
    public required string App { get; init; }

    /// <summary>The class name for a method of a parameterized class; <see langword="null"/> for a function.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Class { get; init; }

    /// <summary>The function name, or the method name when <see cref="Class"/> is set.</summary>
    public required string Function { get; init; }

    /// <summary>The class parameters as a JSON object (<c>{"name":"llama","size":7}</c>); bytes as base64.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Parameters { get; init; }

    /// <summary>Positional arguments as a JSON array.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Args { get; init; }

    /// <summary>Arguments by parameter name as a JSON object.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Kwargs { get; init; }

    /// <summary>When set, a second invocation with the same key returns the first one's call.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IdempotencyKey { get; init; }

    /// <summary>The attempt number, from 1; retries send the input again with this raised. Null reads as 1.</summary>
    [JsonConverter(typeof(NullIsFirstAttemptConverter))]
    public int Attempt { get; init; } = 1;

    /// <summary>Whether the outcome is recorded in the results store (spawned calls) for <c>get</c> by id. Null reads as false.</summary>
    [JsonConverter(typeof(NullIsFalseConverter))]
    public bool StoreResult { get; init; }

    /// <summary>
    /// The call whose code sent this one (a function calling another through its injected client); absent for a call
    /// from outside any function. Stored with a spawned call and tagged on its trace; it changes nothing else.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ParentCallId { get; init; }

    /// <summary>When the caller sent it, for queue-wait metrics.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? SentAt { get; init; }
}
