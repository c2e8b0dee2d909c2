using System.Collections;
using System.Globalization;

namespace Pipeline.Cli.Usage;

/// <summary>
/// What a value of a .NET type looks like on a command line or in a JSON argument, in words a user of the command
/// knows ("a whole number", "true or false", "a number or null"): no message of the command names a .NET type.
/// </summary>
internal static class ValueWords
{
    /// <summary>The words for <paramref name="type"/>: <c>int?</c> is "a whole number or null".</summary>
    public static string Of(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Of(inner) + " or null";
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.String or TypeCode.Char => "text",
            TypeCode.Boolean => "true or false",
            TypeCode.Int32 => Range("a whole number", int.MinValue, int.MaxValue),
            TypeCode.Int64 => "a whole number",
            TypeCode.Int16 => Range("a whole number", short.MinValue, short.MaxValue),
            TypeCode.SByte => Range("a whole number", sbyte.MinValue, sbyte.MaxValue),
            TypeCode.Byte => Range("a whole number", byte.MinValue, byte.MaxValue),
            TypeCode.UInt16 => Range("a whole number", ushort.MinValue, ushort.MaxValue),
            TypeCode.UInt32 => Range("a whole number", uint.MinValue, uint.MaxValue),
            TypeCode.UInt64 => "a whole number, 0 or more",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            TypeCode.DateTime => "a date and time (a JSON string such as \"2026-12-05T09:00:00Z\")",
            _ => Composite(type),
        };
    }

    private static string Composite(Type type)
    {
        if (type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) || type == typeof(Memory<byte>))
        {
            return "bytes (a base64 JSON string)";
        }

        if (type == typeof(DateTimeOffset))
        {
            return "a date and time (a JSON string such as \"2026-12-05T09:00:00Z\")";
        }

        if (type == typeof(TimeSpan))
        {
            return "a duration (a JSON string such as \"00:05:00\")";
        }

        if (type == typeof(Guid))
        {
            return "a GUID (a JSON string)";
        }

        if (type == typeof(System.Text.Json.JsonElement) || type == typeof(object))
        {
            return "any JSON value";
        }

        if (Element(type) is { } element)
        {
            return $"a JSON array, each item {Of(element)}";
        }

        return "a JSON object";
    }

    // T[], List<T>, IReadOnlyList<T>, IEnumerable<T> ...: the item type; dictionaries are objects.
    private static Type? Element(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type) && !(type.IsInterface && type.IsGenericType))
        {
            return null;
        }

        var enumerable = type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        var item = enumerable?.GetGenericArguments()[0];
        return item is { IsGenericType: true } pair && pair.GetGenericTypeDefinition() == typeof(KeyValuePair<,>) ? null : item;
    }

    private static string Range(string words, long low, long high) =>
        string.Create(CultureInfo.InvariantCulture, $"{words} from {low} to {high}");
}
