using System.Diagnostics.Metrics;

namespace Pipeline.Gateway.Hosting;

/// <summary>
/// Counts the gateway's requests under the meter <c>Pipeline</c>, served at <c>/metrics</c> on the health port: by the
/// function the route calls, the status code, and an outcome an alert can use without knowing HTTP.
/// </summary>
internal static class RequestMetrics
{
    private static readonly Meter Meter = new("Pipeline");

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "pipeline.gateway.requests", "{request}", "Requests the gateway answered, by function, status code and outcome (Succeeded, Rejected: 4xx, Failed: 5xx).");

    /// <summary>The middleware: counts each request once its response is decided (an exception counts as a 500).</summary>
    public static async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            var function = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "none";
            Requests.Add(
                1,
                new KeyValuePair<string, object?>("pipeline.function", function),
                new KeyValuePair<string, object?>("http.response.status_code", status),
                new KeyValuePair<string, object?>("pipeline.outcome", Outcome(status)));
        }
    }

    private static string Outcome(int status) => status switch
    {
        >= 500 => "Failed",
        >= 400 => "Rejected",
        _ => "Succeeded",
    };
}
