using System.Globalization;

namespace Pipeline.Messages.Parameters;

/// <summary>One declared class parameter: its wire name, its type and its default, if any.</summary>
/// <param name="Name">The wire name (camelCase of the C# member), used for hashing and in JSON.</param>
/// <param name="Type">The declared type.</param>
/// <param name="Default">The default value; <see langword="null"/> when the parameter is required.</param>
public sealed record ParameterSpec(string Name, ParameterType Type, ParameterValue? Default = null)
{
    /// <summary>Whether a caller must give this parameter.</summary>
    public bool IsRequired => Default is null;

    /// <summary>
    /// The smallest value an <see cref="ParameterType.Int"/> parameter takes: that of the declared C# type
    /// (<see cref="int.MinValue"/> for <c>int</c>); <see cref="long.MinValue"/> by default.
    /// </summary>
    public long Minimum { get; init; } = long.MinValue;

    /// <summary>
    /// The largest value an <see cref="ParameterType.Int"/> parameter takes: that of the declared C# type
    /// (<see cref="int.MaxValue"/> for <c>int</c>); <see cref="long.MaxValue"/> by default.
    /// </summary>
    public long Maximum { get; init; } = long.MaxValue;

    /// <summary>A spec for a C# <c>int</c> parameter (32-bit): an <see cref="ParameterType.Int"/> from <see cref="int.MinValue"/> to <see cref="int.MaxValue"/>.</summary>
    /// <param name="name">The wire name.</param>
    /// <param name="defaultValue">The default; <see langword="null"/> when required.</param>
    public static ParameterSpec ForInt(string name, ParameterValue? defaultValue = null) =>
        new(name, ParameterType.Int, defaultValue) { Minimum = int.MinValue, Maximum = int.MaxValue };

    /// <summary>Whether an integer parameter holds only 32-bit values (a C# <c>int</c>).</summary>
    public bool IsInt32 => Type == ParameterType.Int && Minimum >= int.MinValue && Maximum <= int.MaxValue;

    /// <summary>The type's short name: <c>string</c>, <c>int</c>, <c>long</c>, <c>bool</c> or <c>byte[]</c>.</summary>
    public string TypeName => Type switch
    {
        ParameterType.String => "string",
        ParameterType.Int => IntName(),
        ParameterType.Bool => "bool",
        _ => "byte[]",
    };

    /// <summary>
    /// The type as a caller reads it in an error, with what it accepts: <c>int (a whole number from -2147483648 to
    /// 2147483647)</c>, <c>bool (true or false)</c>, <c>byte[] (base64 text)</c>, <c>string</c>.
    /// </summary>
    public string Describe() => Type switch
    {
        ParameterType.String => "string",
        ParameterType.Int => string.Create(CultureInfo.InvariantCulture, $"{TypeName} (a whole number from {Minimum} to {Maximum})"),
        ParameterType.Bool => "bool (true or false)",
        _ => "byte[] (base64 text)",
    };

    /// <summary>Whether <paramref name="value"/> is of this parameter's type and, for integers, within its range.</summary>
    /// <param name="value">The value.</param>
    public bool Accepts(ParameterValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Type == Type && (Type != ParameterType.Int || (value.AsInt() >= Minimum && value.AsInt() <= Maximum));
    }

    private string IntName() => (Minimum, Maximum) switch
    {
        (int.MinValue, int.MaxValue) => "int",
        (long.MinValue, long.MaxValue) => "long",
        _ => "integer",
    };
}
