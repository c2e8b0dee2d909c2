using System.Text.Json;

namespace Pipeline.Consumers.Replies;

/// <summary>
/// What can still be read from a message the bus could not turn into an input (malformed JSON, a missing or mistyped
/// field): why it is refused, in words a publisher can act on, and where and under which call ids to tell its caller.
/// Reads the raw body itself, leniently, because the bus's reader has already refused it.
/// </summary>
internal sealed record UnreadableInput(string Reason, Uri? ResponseAddress, Guid? RequestId, bool IsChunk, IReadOnlyList<string> CallIds)
{
    private const string RunInvocationUrn = "urn:message:Pipeline.Messages.Invocations:RunInvocation";
    private const string ChunkUrn = "urn:message:Pipeline.Messages.Invocations:RunInvocationChunk";
    private const string Guide = "docs/wire-format.md (section 3) shows the envelope.";

    /// <summary>Reads <paramref name="body"/>; <paramref name="error"/> is what the bus said, used when nothing better is found.</summary>
    public static UnreadableInput Read(ReadOnlyMemory<byte> body, Exception? error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return new UnreadableInput($"The message is not JSON ({e.Message}). {Guide}", null, null, false, []);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new UnreadableInput($"The message is JSON {Kind(root)}, not a MassTransit envelope. {Guide}", null, null, false, []);
            }

            var address = Text(root, "responseAddress") is { } a && Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri : null;
            var requestId = Guid.TryParse(Text(root, "requestId"), out var id) ? id : (Guid?)null;
            var types = root.TryGetProperty("messageType", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : [];
            var isChunk = types.Contains(ChunkUrn);
            if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            {
                var why = root.TryGetProperty("message", out var m)
                    ? $"its \"message\" is {Kind(m)}, not an object"
                    : "it has no \"message\" object";
                return new UnreadableInput($"The message is no MassTransit envelope: {why}. {Guide}", address, requestId, isChunk, []);
            }

            var callIds = isChunk ? ChunkCallIds(message) : Text(message, "callId") is { } callId ? [callId] : [];
            var reason = isChunk ? ChunkProblem(message) : types.Count == 0 || types.Contains(RunInvocationUrn) ? InputProblem(message, "The input") : null;
            reason ??= $"The input could not be read: {Innermost(error)}";
            return new UnreadableInput(reason, address, requestId, isChunk, callIds);
        }
    }

    // The first field of a RunInvocation (or a chunk's input) that is missing or of the wrong JSON kind.
    private static string? InputProblem(JsonElement message, string what)
    {
        if (Invocations.CallIds.Problem(Text(message, "callId")) is { } badId && !message.TryGetProperty("callId", out _))
        {
            return badId;
        }

        return Expect(message, what, "callId", "a string", JsonValueKind.String, optional: false)
            ?? Expect(message, what, "app", "a string", JsonValueKind.String, optional: false)
            ?? Expect(message, what, "function", "a string", JsonValueKind.String, optional: false)
            ?? Common(message, what)
            ?? Expect(message, what, "idempotencyKey", "a string", JsonValueKind.String, optional: true)
            ?? Expect(message, what, "storeResult", "true or false", JsonValueKind.True, optional: true, JsonValueKind.False)
            ?? Expect(message, what, "sentAt", "a date-time string", JsonValueKind.String, optional: true)
            ?? Expect(message, what, "attempt", "a whole number from 1", JsonValueKind.Number, optional: true);
    }

    private static string? ChunkProblem(JsonElement chunk)
    {
        var problem = Expect(chunk, "The chunk", "app", "a string", JsonValueKind.String, optional: false)
            ?? Expect(chunk, "The chunk", "function", "a string", JsonValueKind.String, optional: false)
            ?? Expect(chunk, "The chunk", "inputs", "an array of inputs", JsonValueKind.Array, optional: false)
            ?? Common(chunk, "The chunk");
        if (problem is not null)
        {
            return problem;
        }

        var index = 0;
        foreach (var input in chunk.GetProperty("inputs").EnumerateArray())
        {
            if (input.ValueKind == JsonValueKind.Object &&
                (Expect(input, $"Input {index} of the chunk", "args", "an array", JsonValueKind.Array, optional: true)
                 ?? Expect(input, $"Input {index} of the chunk", "kwargs", "an object", JsonValueKind.Object, optional: true)
                 ?? Expect(input, $"Input {index} of the chunk", "attempt", "a whole number from 1", JsonValueKind.Number, optional: true)) is { } bad)
            {
                return bad;
            }

            index++;
        }

        return null;
    }

    private static string? Common(JsonElement message, string what) =>
        Expect(message, what, "class", "a string", JsonValueKind.String, optional: true)
        ?? Expect(message, what, "parameters", "an object", JsonValueKind.Object, optional: true)
        ?? Expect(message, what, "args", "an array", JsonValueKind.Array, optional: true)
        ?? Expect(message, what, "kwargs", "an object", JsonValueKind.Object, optional: true);

    private static string? Expect(JsonElement message, string what, string name, string expected, JsonValueKind kind, bool optional, JsonValueKind orKind = JsonValueKind.Undefined)
    {
        if (!message.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return optional ? null : $"{what} has no \"{name}\". Set \"{name}\" to {expected}. {Guide}";
        }

        if (value.ValueKind == kind || value.ValueKind == orKind)
        {
            return kind == JsonValueKind.Number && !value.TryGetInt32(out _)
                ? $"{what}'s \"{name}\" is {value.GetRawText()}, not {expected}."
                : null;
        }

        return $"{what}'s \"{name}\" is {Kind(value)}, not {expected}. {Guide}";
    }

    private static List<string> ChunkCallIds(JsonElement chunk) =>
        chunk.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Array
            ? inputs.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.Object ? Text(i, "callId") ?? "" : "").ToList()
            : [];

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Innermost(Exception? error)
    {
        if (error is null)
        {
            return "the bus gave no reason.";
        }

        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }

        return error.Message;
    }
}
