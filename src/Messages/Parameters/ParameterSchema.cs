using System.Globalization;
using System.Text.Json;

namespace Pipeline.Messages.Parameters;

/// <summary>
/// The declared parameters of one class. Binds what a caller gives (CLR values or wire JSON) into a
/// <see cref="ParameterSet"/>: keyword-only, defaults applied before encoding, types checked.
/// </summary>
public sealed class ParameterSchema
{
    /// <summary>Creates a schema.</summary>
    /// <param name="owner">Who declares these parameters, for error messages (for example <c>inference.model</c>).</param>
    /// <param name="parameters">The declared parameters.</param>
    public ParameterSchema(string owner, IEnumerable<ParameterSpec> parameters)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(parameters);
        Owner = owner;
        Parameters = parameters.ToList();
    }

    /// <summary>Who declares these parameters.</summary>
    public string Owner { get; }

    /// <summary>The declared parameters.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Binds CLR values by name (case-insensitive): <c>string</c>, any integer type, <c>bool</c>, <c>byte[]</c>.</summary>
    /// <param name="given">The values the caller gave; may be empty.</param>
    /// <exception cref="ParameterException">A name is unknown, a required one is missing, a type is wrong, or the set is over 16 KiB.</exception>
    public ParameterSet Bind(IEnumerable<KeyValuePair<string, object?>> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        return BindCore(given.Select(g => (g.Key, (Func<ParameterSpec, ParameterValue>)(spec => FromClr(spec, g.Value)))));
    }

    /// <summary>Binds a wire JSON object (<c>{"name": "llama", "size": 7}</c>); bytes are base64 strings.</summary>
    /// <param name="json">The object, or <see langword="null"/>/undefined for none.</param>
    /// <exception cref="ParameterException">The JSON is not an object, or any rule of <see cref="Bind"/> is broken.</exception>
    public ParameterSet BindJson(JsonElement? json)
    {
        if (json is null || json.Value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return BindCore([]);
        }

        if (json.Value.ValueKind != JsonValueKind.Object)
        {
            throw new ParameterException($"Parameters for {Owner} must be a JSON object like {{\"name\": \"value\"}}, not {json.Value.ValueKind}.");
        }

        var items = json.Value.EnumerateObject()
            .Select(p => (p.Name, (Func<ParameterSpec, ParameterValue>)(spec => FromJson(spec, p.Value))))
            .ToList();
        return BindCore(items);
    }

    private ParameterSet BindCore(IEnumerable<(string Name, Func<ParameterSpec, ParameterValue> Convert)> given)
    {
        var bound = new Dictionary<string, ParameterValue>(StringComparer.Ordinal);
        foreach (var (name, convert) in given)
        {
            var spec = Find(name) ?? throw new ParameterException(
                $"{Owner} has no parameter '{name}'. Declared parameters: {Declared()}.");
            if (!bound.TryAdd(spec.Name, convert(spec)))
            {
                throw new ParameterException($"Parameter '{spec.Name}' of {Owner} is given twice; give it once.");
            }
        }

        foreach (var spec in Parameters)
        {
            if (bound.ContainsKey(spec.Name))
            {
                continue;
            }

            bound[spec.Name] = spec.Default ?? throw new ParameterException(
                $"Missing required parameter '{spec.Name}' ({spec.Describe()}) of {Owner}. Pass it by name, for example With(new {{ {spec.Name} = ... }}).");
        }

        return ParameterSet.Create(bound);
    }

    private ParameterSpec? Find(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name) ??
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private string Declared() => Parameters.Count == 0
        ? "none"
        : string.Join(", ", Parameters.Select(p => $"{p.Name} ({p.TypeName})"));

    /// <summary>
    /// Reads one parameter given as text, as on a command line (<c>--param size=7</c>) or in a query string: an integer
    /// in decimal within the declared type's range, <c>true</c> or <c>false</c>, bytes as base64 (standard or URL-safe,
    /// padded or not), a string as it is.
    /// </summary>
    /// <param name="name">The parameter's name (any case).</param>
    /// <param name="text">The text given for it.</param>
    /// <returns>The value, checked against the declared type and range.</returns>
    /// <exception cref="ParameterException">The name is unknown, or the text is not a value of the declared type: the message names the parameter, the type and its range.</exception>
    public ParameterValue ParseText(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        var spec = Find(name) ?? throw new ParameterException($"{Owner} has no parameter '{name}'. Declared parameters: {Declared()}.");
        ParameterValue? value = spec.Type switch
        {
            ParameterType.String => ParameterValue.FromString(text),
            ParameterType.Int => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? ParameterValue.FromInt(number) : null,
            ParameterType.Bool => bool.TryParse(text, out var flag) ? ParameterValue.FromBool(flag) : null,
            _ => Base64(text) is { } bytes ? ParameterValue.FromBytes(bytes) : null,
        };
        return value is not null && spec.Accepts(value) ? value : throw WrongType(spec, $"'{Shorten(text)}'");
    }

    private ParameterValue FromClr(ParameterSpec spec, object? value)
    {
        ParameterValue? result = (spec.Type, value) switch
        {
            (_, ParameterValue v) => v,
            (ParameterType.String, string s) => ParameterValue.FromString(s),
            (ParameterType.Int, long l) => ParameterValue.FromInt(l),
            (ParameterType.Int, int i) => ParameterValue.FromInt(i),
            (ParameterType.Int, short s) => ParameterValue.FromInt(s),
            (ParameterType.Int, ushort s) => ParameterValue.FromInt(s),
            (ParameterType.Int, byte b) => ParameterValue.FromInt(b),
            (ParameterType.Int, sbyte b) => ParameterValue.FromInt(b),
            (ParameterType.Int, uint u) => ParameterValue.FromInt(u),
            (ParameterType.Int, ulong u) when u <= long.MaxValue => ParameterValue.FromInt((long)u),
            (ParameterType.Bool, bool b) => ParameterValue.FromBool(b),
            (ParameterType.Bytes, byte[] b) => ParameterValue.FromBytes(b),
            (ParameterType.Bytes, ReadOnlyMemory<byte> m) => ParameterValue.FromBytes(m.Span),
            _ => null,
        };
        return result is not null && spec.Accepts(result) ? result : throw WrongType(spec, Shown(value));
    }

    private ParameterValue FromJson(ParameterSpec spec, JsonElement value)
    {
        ParameterValue? result;
        switch (spec.Type)
        {
            case ParameterType.String when value.ValueKind == JsonValueKind.String:
                try
                {
                    return ParameterValue.FromString(value.GetString()!);
                }
                catch (InvalidOperationException e)
                {
                    throw new ParameterException($"Parameter '{spec.Name}' of {Owner} is not valid Unicode text: {e.Message}", e);
                }

            case ParameterType.Int when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l):
                result = ParameterValue.FromInt(l);
                break;
            case ParameterType.Bool when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                result = ParameterValue.FromBool(value.GetBoolean());
                break;
            case ParameterType.Bytes when value.ValueKind == JsonValueKind.String:
                result = value.TryGetBytesFromBase64(out var bytes) ? ParameterValue.FromBytes(bytes) : null;
                break;
            default:
                result = null;
                break;
        }

        return result is not null && spec.Accepts(result) ? result : throw WrongType(spec, Shorten(value.GetRawText()));
    }

    private ParameterException WrongType(ParameterSpec spec, string actual) =>
        new($"Parameter '{spec.Name}' of {Owner} expects {spec.Describe()}, got {actual}. Give a value of that type{(spec.Type == ParameterType.Int ? " and range" : "")}.");

    private static string Shown(object? value) => value switch
    {
        null => "null",
        ParameterValue v when v.Type == ParameterType.String => $"String \"{Shorten(v.AsString())}\"",
        ParameterValue v => v.Type == ParameterType.Bytes ? $"byte[] of {v.AsBytes().Length} bytes" : v.ToString(),
        string s => $"String \"{Shorten(s)}\"",
        IFormattable number when value.GetType().IsPrimitive || value is decimal => string.Create(CultureInfo.InvariantCulture, $"{value.GetType().Name} {number}"),
        _ => value.GetType().Name,
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    // Standard or URL-safe base64, padded or not: a command line or a query string may carry either.
    private static byte[]? Base64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        var buffer = new byte[standard.Length];
        return Convert.TryFromBase64String(standard, buffer, out var written) ? buffer[..written] : null;
    }
}
