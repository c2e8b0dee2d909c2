using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Messages.Invocations;

/// <summary>
/// Several inputs of one function or class method in one message: what <c>map</c> sends, so that a map is not bound
/// by the broker's per-message cost. Each input keeps its own call id, attempt, timeout, result and error; the worker
/// answers with one <see cref="InvocationChunkCompleted"/> holding an outcome per input, in input order.
/// </summary>
public sealed record RunInvocationChunk
{
    /// <summary>The most inputs one chunk may carry; a worker rejects every input of a larger chunk.</summary>
    public const int MaxInputs = 1000;

    /// <summary>The app name, as declared by <c>[App]</c> (normalized).</summary>
    public required string App { get; init; }

    /// <summary>The class name for a method of a parameterized class; <see langword="null"/> for a function.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Class { get; init; }

    /// <summary>The function name, or the method name when <see cref="Class"/> is set.</summary>
    public required string Function { get; init; }

    /// <summary>The class parameters as a JSON object, shared by every input.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Parameters { get; init; }

    /// <summary>The inputs, at most <see cref="MaxInputs"/>.</summary>
    public required IReadOnlyList<ChunkInput> Inputs { get; init; }

    /// <summary>When the caller sent it, for queue-wait metrics.</summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>The single invocation that input <paramref name="index"/> stands for (what a dead letter of it holds).</summary>
    /// <param name="index">The input's position in <see cref="Inputs"/>.</param>
    public RunInvocation Expand(int index)
    {
        var input = Inputs[index];
        return new RunInvocation
        {
            CallId = input.CallId,
            App = App,
            Class = Class,
            Function = Function,
            Parameters = Parameters,
            Args = input.Args,
            Kwargs = input.Kwargs,
            Attempt = input.Attempt,
            SentAt = SentAt,
        };
    }
}

/// <summary>One input of a <see cref="RunInvocationChunk"/>.</summary>
public sealed record ChunkInput
{
    /// <summary>The call id, <c>fc-</c> followed by 32 hex characters.</summary>
    public required string CallId { get; init; }

    /// <summary>Positional arguments as a JSON array.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Args { get; init; }

    /// <summary>Arguments by parameter name as a JSON object.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Kwargs { get; init; }

    /// <summary>The attempt number, from 1; the caller raises it when it sends a failed input again. Null reads as 1.</summary>
    [JsonConverter(typeof(NullIsFirstAttemptConverter))]
    public int Attempt { get; init; } = 1;
}

/// <summary>The reply to a <see cref="RunInvocationChunk"/>: one outcome per input, in input order.</summary>
public sealed record InvocationChunkCompleted
{
    /// <summary>The outcomes, one per input of the chunk, in the chunk's order.</summary>
    public required IReadOnlyList<ChunkOutcome> Outcomes { get; init; }
}

/// <summary>What became of one input of a chunk.</summary>
public sealed record ChunkOutcome
{
    /// <summary>The attempt's outcome; final unless <see cref="RetryAfter"/> is set.</summary>
    public required InvocationCompleted Outcome { get; init; }

    /// <summary>
    /// Set when the function's retry policy wants another attempt: the caller sends the input again, with its attempt
    /// raised, after this delay. A map's results go only to its caller, so its caller holds its retries.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }
}
