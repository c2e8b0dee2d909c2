using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Messages.Invocations;

/// <summary>Reads an attempt number where <c>null</c> means the same as absent: the first attempt (docs/wire-format.md).</summary>
internal sealed class NullIsFirstAttemptConverter : JsonConverter<int>
{
    public override bool HandleNull => true;

    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => 1,
        JsonTokenType.Number when reader.TryGetInt32(out var attempt) => attempt,
        _ => throw new JsonException($"Expected a whole number or null for the attempt, not a JSON {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}
