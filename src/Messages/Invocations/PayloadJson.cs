using System.Text.Json;

namespace Pipeline.Messages.Invocations;

/// <summary>
/// The JSON settings for arguments and results on both sides: web defaults (camelCase, case-insensitive reads),
/// and no type names, so a payload can never choose the .NET type it becomes.
/// </summary>
public static class PayloadJson
{
    /// <summary>The shared, read-only options.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
