using System.Globalization;

namespace Pipeline.Messages.Parameters;

/// <summary>One typed class-parameter value. Immutable; equal when type and content are equal.</summary>
public sealed class ParameterValue : IEquatable<ParameterValue>
{
    private readonly object _value;

    private ParameterValue(ParameterType type, object value)
    {
        Type = type;
        _value = value;
    }

    /// <summary>The value's type.</summary>
    public ParameterType Type { get; }

    /// <summary>The value as a CLR object: <see cref="string"/>, <see cref="long"/>, <see cref="bool"/> or a copy of the bytes.</summary>
    public object Value => _value is byte[] bytes ? bytes.ToArray() : _value;

    /// <summary>Creates a string value.</summary>
    /// <param name="value">The string; must not be null.</param>
    public static ParameterValue FromString(string value) => new(ParameterType.String, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates an integer value.</summary>
    /// <param name="value">The integer.</param>
    public static ParameterValue FromInt(long value) => new(ParameterType.Int, value);

    /// <summary>Creates a boolean value.</summary>
    /// <param name="value">The boolean.</param>
    public static ParameterValue FromBool(bool value) => new(ParameterType.Bool, value);

    /// <summary>Creates a bytes value (the array is copied).</summary>
    /// <param name="value">The bytes; must not be null.</param>
    public static ParameterValue FromBytes(ReadOnlySpan<byte> value) => new(ParameterType.Bytes, value.ToArray());

    /// <summary>The string content; throws when <see cref="Type"/> is not <see cref="ParameterType.String"/>.</summary>
    public string AsString() => (string)As(ParameterType.String);

    /// <summary>The integer content; throws when <see cref="Type"/> is not <see cref="ParameterType.Int"/>.</summary>
    public long AsInt() => (long)As(ParameterType.Int);

    /// <summary>The boolean content; throws when <see cref="Type"/> is not <see cref="ParameterType.Bool"/>.</summary>
    public bool AsBool() => (bool)As(ParameterType.Bool);

    /// <summary>The bytes content without copying; throws when <see cref="Type"/> is not <see cref="ParameterType.Bytes"/>.</summary>
    public ReadOnlySpan<byte> AsBytes() => (byte[])As(ParameterType.Bytes);

    /// <inheritdoc />
    public bool Equals(ParameterValue? other) =>
        other is not null && other.Type == Type && (Type == ParameterType.Bytes
            ? ((byte[])_value).AsSpan().SequenceEqual((byte[])other._value)
            : _value.Equals(other._value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ParameterValue);

    /// <inheritdoc />
    public override int GetHashCode() => Type == ParameterType.Bytes
        ? HashCode.Combine(Type, ((byte[])_value).Length)
        : HashCode.Combine(Type, _value);

    /// <summary>A readable form for logs and queue arguments; bytes show their length only.</summary>
    public override string ToString() => Type switch
    {
        ParameterType.String => (string)_value,
        ParameterType.Int => ((long)_value).ToString(CultureInfo.InvariantCulture),
        ParameterType.Bool => (bool)_value ? "true" : "false",
        _ => $"<{((byte[])_value).Length} bytes>",
    };

    private object As(ParameterType expected) => Type == expected
        ? _value
        : throw new InvalidOperationException($"The parameter value is {Type}, not {expected}.");
}
