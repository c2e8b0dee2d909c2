using System.Globalization;
using System.Text.Json;

namespace Pipeline.Consumers.Execution;

/// <summary>
/// How an argument's declared type and a refused value read in an error, the way a caller in any language thinks of
/// them: <c>int (a whole number from -2147483648 to 2147483647)</c>, not <c>System.Int32</c>.
/// </summary>
internal static class ArgumentTypes
{
    /// <summary>The type, with the values it accepts for numbers, booleans, text and bytes.</summary>
    /// <param name="type">The declared parameter type.</param>
    public static string Describe(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Describe(underlying) + " or null";
        }

        return Type.GetTypeCode(type) switch
        {
            _ when type.IsEnum => $"{type.Name} (one of {string.Join(", ", Enum.GetNames(type))})",
            TypeCode.SByte => Whole("sbyte", sbyte.MinValue, sbyte.MaxValue),
            TypeCode.Byte => Whole("byte", byte.MinValue, byte.MaxValue),
            TypeCode.Int16 => Whole("short", short.MinValue, short.MaxValue),
            TypeCode.UInt16 => Whole("ushort", ushort.MinValue, ushort.MaxValue),
            TypeCode.Int32 => Whole("int", int.MinValue, int.MaxValue),
            TypeCode.UInt32 => Whole("uint", uint.MinValue, uint.MaxValue),
            TypeCode.Int64 => Whole("long", long.MinValue, long.MaxValue),
            TypeCode.UInt64 => Whole("ulong", ulong.MinValue, ulong.MaxValue),
            TypeCode.Single => "float (a number)",
            TypeCode.Double => "double (a number)",
            TypeCode.Decimal => "decimal (a number)",
            TypeCode.Boolean => "bool (true or false)",
            TypeCode.Char => "char (a string of one character)",
            TypeCode.String => "string",
            _ when type == typeof(byte[]) => "byte[] (a base64 string)",
            _ => type.Name,
        };
    }

    /// <summary>Whether a refusal of this type is said fully by <see cref="Describe"/>; else the JSON reader's detail helps.</summary>
    /// <param name="type">The declared parameter type.</param>
    public static bool IsSimple(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal) || underlying == typeof(byte[]);
    }

    /// <summary>A JSON value as it reads in an error, shortened: <c>3000000000</c>, <c>"seven"</c>.</summary>
    /// <param name="value">The value given.</param>
    public static string Shown(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "...";
    }

    private static string Whole<T>(string name, T minimum, T maximum)
        where T : IFormattable =>
        string.Create(CultureInfo.InvariantCulture, $"{name} (a whole number from {minimum} to {maximum})");
}
