using System.Text.Json;
using System.Text.Json.Serialization;

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
        // Strict numbers: "5" is not an int, as with class parameters.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
