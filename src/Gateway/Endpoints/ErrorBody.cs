using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Gateway.Endpoints;

/// <summary>
/// The JSON body of every error the gateway answers: a stable code, a sentence naming the problem and the fix, and
/// where it applies the field (parameter or argument), the worker's exception type and trace, and the call id.
/// </summary>
/// <param name="Error">A stable, snake_case code such as <c>missing_parameter</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
/// <param name="Field">The query or body field at fault.</param>
internal sealed record ErrorBody(string Error, string Message, string? Field = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Messages quote names ('foo'); the body is JSON with its content type, never HTML, so they stay readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The exception type thrown on the worker.</summary>
    public string? Type { get; init; }

    /// <summary>The worker's stack trace, only when <see cref="GatewayOptions.ShowTracebacks"/> is on.</summary>
    public string? Traceback { get; init; }

    /// <summary>The call, for finding it in worker logs.</summary>
    public string? CallId { get; init; }

    public IResult ToResult(int statusCode) => TypedResults.Json(this, Json, "application/json", statusCode);
}
