using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Messages.Parameters;

namespace Pipeline.RabbitMq;

/// <summary>
/// One queue argument per class parameter, <c>x-pipeline-param.&lt;name&gt;</c>, so an operator reads a pool's
/// parameters on its queue page in the management UI (which shows <c>x-pipeline-parameters</c>, the JSON for tools, with
/// its quotes HTML-escaped): strings as they are (long ones cut), integers as numbers, booleans as booleans, bytes as
/// their length and a short hex prefix (<c>32 bytes: 00ff10a3b4c5d6e7…</c>).
/// </summary>
internal static class PoolParameterArguments
{
    public const string Prefix = "x-pipeline-param.";

    /// <summary>The longest string shown whole; a longer one is cut and says its length.</summary>
    public const int MaxShownChars = 200;

    /// <summary>The bytes shown in hex.</summary>
    public const int ShownBytes = 8;

    // Each string that is valid base64 could be bytes: at most this many such strings are resolved by the pool id.
    private const int MaxAmbiguous = 8;

    private const string PoolIdMarker = ".p-";

    private const int MaxKeyBytes = 255;

    /// <summary>The arguments for a pool's parameters, as its notice carries them (JSON, bytes as base64).</summary>
    /// <param name="queue">The pool queue: its pool id tells bytes from strings, since JSON does not.</param>
    /// <param name="parameters">The complete parameter set as a JSON object.</param>
    public static IEnumerable<KeyValuePair<string, object>> For(string queue, JsonElement parameters)
    {
        // An AMQP table key is at most 255 bytes: a parameter with a longer name shows only in the JSON.
        return Resolve(queue, parameters)
            .Where(v => Encoding.UTF8.GetByteCount(Prefix + v.Key) <= MaxKeyBytes)
            .Select(v => new KeyValuePair<string, object>(Prefix + v.Key, Shown(v.Value)));
    }

    /// <summary>How a value reads in the UI.</summary>
    /// <param name="value">A typed value, or the raw JSON text of one that is not a parameter value.</param>
    public static object Shown(object value) => value switch
    {
        ParameterValue { Type: ParameterType.Int } v => v.AsInt(),
        ParameterValue { Type: ParameterType.Bool } v => v.AsBool(),
        ParameterValue { Type: ParameterType.Bytes } v => Bytes(v.AsBytes()),
        ParameterValue v => Cut(v.AsString()),
        _ => Cut(value.ToString() ?? ""),
    };

    // JSON says string for both strings and base64 bytes. The pool id is a hash over each value's type tag, so the one
    // reading of the strings whose set hashes to the queue's pool id is the declared one; none (a queue name not made by
    // QueueNames, or too many candidates) shows every string as text.
    private static List<KeyValuePair<string, object>> Resolve(string queue, JsonElement parameters)
    {
        var plain = new List<KeyValuePair<string, object>>();
        var candidates = new List<(string Name, ParameterValue Text, ParameterValue? Bytes)>();
        foreach (var property in parameters.EnumerateObject())
        {
            var value = property.Value;
            ParameterValue? typed = value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetInt64(out var number) => ParameterValue.FromInt(number),
                JsonValueKind.True or JsonValueKind.False => ParameterValue.FromBool(value.GetBoolean()),
                _ => null,
            };
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text)
            {
                candidates.Add((property.Name, ParameterValue.FromString(text), value.TryGetBytesFromBase64(out var bytes) ? ParameterValue.FromBytes(bytes) : null));
            }
            else
            {
                plain.Add(new(property.Name, typed ?? (object)value.GetRawText()));
            }
        }

        var ambiguous = candidates.Where(c => c.Bytes is not null).ToList();
        var poolId = queue.LastIndexOf(PoolIdMarker, StringComparison.Ordinal) is var at and >= 0 ? queue[(at + PoolIdMarker.Length)..] : null;
        var texts = candidates.Select(c => new KeyValuePair<string, object>(c.Name, c.Text)).ToList();
        if (poolId is null || ambiguous.Count == 0 || ambiguous.Count > MaxAmbiguous || plain.Any(p => p.Value is not ParameterValue))
        {
            return [.. plain, .. texts];
        }

        for (var mask = 0; mask < 1 << ambiguous.Count; mask++)
        {
            var reading = candidates.Select(c =>
            {
                var index = ambiguous.IndexOf(c);
                return new KeyValuePair<string, ParameterValue>(c.Name, index >= 0 && (mask & (1 << index)) != 0 ? c.Bytes! : c.Text);
            }).ToList();
            if (Matches(poolId, [.. plain.Select(p => new KeyValuePair<string, ParameterValue>(p.Key, (ParameterValue)p.Value)), .. reading]))
            {
                return [.. plain, .. reading.Select(r => new KeyValuePair<string, object>(r.Key, r.Value))];
            }
        }

        return [.. plain, .. texts];
    }

    private static bool Matches(string poolId, List<KeyValuePair<string, ParameterValue>> values)
    {
        try
        {
            return ParameterSet.Create(values).PoolId == poolId;
        }
        catch (ParameterException)
        {
            return false;
        }
    }

    private static string Bytes(ReadOnlySpan<byte> bytes)
    {
        var count = string.Create(CultureInfo.InvariantCulture, $"{bytes.Length} bytes");
        return bytes.Length == 0
            ? count
            : $"{count}: {Convert.ToHexStringLower(bytes[..Math.Min(bytes.Length, ShownBytes)])}{(bytes.Length > ShownBytes ? "…" : "")}";
    }

    private static string Cut(string text) => text.Length <= MaxShownChars
        ? text
        : string.Create(CultureInfo.InvariantCulture, $"{text[..MaxShownChars]}… ({text.Length} characters)");
}
