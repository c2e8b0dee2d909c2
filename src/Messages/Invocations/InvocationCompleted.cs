using System.Text.Json;

namespace Pipeline.Messages.Invocations;

/// <summary>The outcome of an invocation: the reply to a remote call, and the record of a spawned one.</summary>
public sealed record InvocationCompleted
{
    /// <summary>The call id of the invocation.</summary>
    public required string CallId { get; init; }

    /// <summary>How it ended.</summary>
    public required InvocationStatus Status { get; init; }

    /// <summary>The returned value as JSON, when <see cref="Status"/> is <see cref="InvocationStatus.Succeeded"/>.</summary>
    public JsonElement? Value { get; init; }

    /// <summary>The error, for every other status.</summary>
    public RemoteError? Error { get; init; }

    /// <summary>The attempts made, counting the last one.</summary>
    public int Attempts { get; init; }

    /// <summary>When the last attempt started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the invocation finished.</summary>
    public DateTimeOffset FinishedAt { get; init; }
}
