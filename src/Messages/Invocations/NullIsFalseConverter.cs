using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Messages.Invocations;

/// <summary>Reads a flag where <c>null</c> means the same as absent: <see langword="false"/> (docs/wire-format.md).</summary>
internal sealed class NullIsFalseConverter : JsonConverter<bool>
{
    public override bool HandleNull => true;

    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null or JsonTokenType.False => false,
        JsonTokenType.True => true,
        _ => throw new JsonException($"Expected true, false or null, not a JSON {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteBooleanValue(value);
    }
}
