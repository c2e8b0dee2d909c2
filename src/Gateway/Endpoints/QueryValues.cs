using System.Globalization;
using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.Gateway.Endpoints;

/// <summary>Reads query-string text as an argument, by the declared type only (class parameters: <c>ParameterSchema.ParseText</c>).</summary>
internal static class QueryValues
{
    /// <summary>Whether an argument of this type can be given in a query string (numbers, text, booleans and the like).</summary>
    public static bool IsSimple(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return IsNumber(underlying) || IsText(underlying) || underlying == typeof(bool);
    }

    /// <summary>The text as the JSON an argument of this type is sent as; null when the text cannot be one.</summary>
    public static JsonElement? Argument(Type type, string text)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (IsText(underlying))
        {
            return JsonSerializer.SerializeToElement(text, PayloadJson.Options);
        }

        if (underlying == typeof(bool))
        {
            return bool.TryParse(text, out var flag) ? JsonSerializer.SerializeToElement(flag, PayloadJson.Options) : null;
        }

        // Numbers are checked against the declared type's range when the arguments are read as that type.
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
        {
            return JsonSerializer.SerializeToElement(exact, PayloadJson.Options);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var large) && double.IsFinite(large)
            ? JsonSerializer.SerializeToElement(large, PayloadJson.Options)
            : null;
    }

    /// <summary>How a type is named in error messages, the way a JSON caller thinks of it.</summary>
    public static string Describe(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(string) ? "string"
            : underlying == typeof(bool) ? "bool"
            : underlying == typeof(int) ? "int"
            : underlying == typeof(long) ? "long"
            : underlying == typeof(double) ? "double"
            : underlying.Name;
    }

    private static bool IsNumber(Type type) => type.IsEnum || Type.GetTypeCode(type) is TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or
        TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Single or TypeCode.Double or TypeCode.Decimal;

    private static bool IsText(Type type) => type == typeof(string) || type == typeof(char) || type == typeof(Guid) ||
        type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly) ||
        type == typeof(TimeSpan) || type == typeof(Uri);
}
