using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Pipeline.Observability.Health;

/// <summary>
/// Writes a health report as JSON naming each check (<c>{"status":"Unhealthy","checks":{"worker":{"status":...,
/// "description":...}}}</c>), and logs each change of readiness once.
/// </summary>
internal sealed class HealthResponseWriter(ILogger logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock _sync = new();
    private HealthStatus? _lastReadiness;

    public Task WriteReadyAsync(HttpContext context, HealthReport report)
    {
        bool changed;
        lock (_sync)
        {
            changed = _lastReadiness != report.Status;
            _lastReadiness = report.Status;
        }

        if (changed)
        {
            Log.ReadinessChanged(logger, report.Status.ToString(), Describe(report));
        }

        return WriteAsync(context, report);
    }

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json), context.RequestAborted);
    }

    private static string Describe(HealthReport report) => report.Entries.Count == 0
        ? "no checks"
        : string.Join("; ", report.Entries.Select(e => $"{e.Key} {e.Value.Status}{(e.Value.Description is { Length: > 0 } d ? " (" + d + ")" : "")}"));
}
