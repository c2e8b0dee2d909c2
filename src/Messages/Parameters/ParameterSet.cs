using System.Text;
using System.Text.Json;

namespace Pipeline.Messages.Parameters;

/// <summary>
/// A complete, validated parameter set with defaults applied: the identity of a class pool.
/// Two sets with the same names and values have the same <see cref="PoolId"/>, whatever order they were given in.
/// </summary>
public sealed class ParameterSet
{
    private ParameterSet(IReadOnlyList<KeyValuePair<string, ParameterValue>> values, byte[] encoded)
    {
        Values = values;
        Encoded = encoded;
        Hash = ParameterEncoding.Hash(encoded);
    }

    /// <summary>The empty set (a class without parameters).</summary>
    public static ParameterSet Empty { get; } = Create([]);

    /// <summary>The parameters, in canonical order.</summary>
    public IReadOnlyList<KeyValuePair<string, ParameterValue>> Values { get; }

    /// <summary>The canonical encoding.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>The lowercase hex SHA-256 of <see cref="Encoded"/>.</summary>
    public string Hash { get; }

    /// <summary>The first 16 hex characters of <see cref="Hash"/>: the pool id in queue names.</summary>
    public string PoolId => Hash[..ParameterEncoding.PoolIdLength];

    /// <summary>The number of parameters.</summary>
    public int Count => Values.Count;

    /// <summary>Creates a set from values as given; checks duplicates and the 16 KiB limit, not a schema.</summary>
    /// <param name="values">The parameters.</param>
    /// <exception cref="ParameterException">A name repeats, or the encoding is over 16 KiB.</exception>
    public static ParameterSet Create(IEnumerable<KeyValuePair<string, ParameterValue>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToList();
        var encoded = ParameterEncoding.Encode(list);
        if (encoded.Length > ParameterEncoding.MaxEncodedBytes)
        {
            throw new ParameterException(
                $"The class parameters encode to {encoded.Length} bytes, over the 16 KiB ({ParameterEncoding.MaxEncodedBytes} bytes) limit. " +
                "Pass large data as a method argument, or load it in [Enter] from a smaller key.");
        }

        list.Sort((a, b) => Encoding.UTF8.GetBytes(a.Key).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b.Key)));
        return new ParameterSet(list, encoded);
    }

    /// <summary>Gets a value by its wire name.</summary>
    /// <param name="name">The wire name.</param>
    /// <param name="value">The value, when present.</param>
    public bool TryGetValue(string name, out ParameterValue value)
    {
        foreach (var pair in Values)
        {
            if (pair.Key == name)
            {
                value = pair.Value;
                return true;
            }
        }

        value = null!;
        return false;
    }

    /// <summary>The set as a JSON object: strings, numbers, booleans, and bytes as base64 strings.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteJson(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the set as a JSON object (see <see cref="ToJson"/>).</summary>
    /// <param name="writer">The writer.</param>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (var (name, value) in Values)
        {
            switch (value.Type)
            {
                case ParameterType.String: writer.WriteString(name, value.AsString()); break;
                case ParameterType.Int: writer.WriteNumber(name, value.AsInt()); break;
                case ParameterType.Bool: writer.WriteBoolean(name, value.AsBool()); break;
                default: writer.WriteBase64String(name, value.AsBytes()); break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>A readable form, <c>name=llama, size=7</c>, for logs and queue arguments.</summary>
    public override string ToString() => string.Join(", ", Values.Select(v => $"{v.Key}={v.Value}"));
}
