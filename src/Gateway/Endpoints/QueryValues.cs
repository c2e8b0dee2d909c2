using System.Globalization;
using System.Text.Json;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;

namespace Pipeline.Gateway.Endpoints;

/// <summary>Reads query-string text as a class parameter or as an argument, by the declared type only.</summary>
internal static class QueryValues
{
    /// <summary>The text as a value of the parameter's type; null when it is not one.</summary>
    public static ParameterValue? Parameter(ParameterType type, string text) => type switch
    {
        ParameterType.String => ParameterValue.FromString(text),
        ParameterType.Int => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? ParameterValue.FromInt(number) : null,
        ParameterType.Bool => bool.TryParse(text, out var flag) ? ParameterValue.FromBool(flag) : null,
        _ => Base64(text) is { } bytes ? ParameterValue.FromBytes(bytes) : null,
    };

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

    // Standard or URL-safe base64, padded or not: a query string may carry either.
    private static byte[]? Base64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        var buffer = new byte[standard.Length];
        return Convert.TryFromBase64String(standard, buffer, out var written) ? buffer[..written] : null;
    }
}
