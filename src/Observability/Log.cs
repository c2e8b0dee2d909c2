using Microsoft.Extensions.Logging;

namespace Pipeline.Observability;

/// <summary>Log messages of Pipeline.Observability; event ids 4000-4099.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Health endpoints on {Addresses}: {Paths}")]
    public static partial void HealthListening(ILogger logger, string addresses, string paths);

    [LoggerMessage(4001, LogLevel.Information, "Health endpoints are off (Pipeline:Health:Enabled is false)")]
    public static partial void HealthOff(ILogger logger);

    [LoggerMessage(4002, LogLevel.Information, "Readiness is now {Status}: {Description}")]
    public static partial void ReadinessChanged(ILogger logger, string status, string description);

    [LoggerMessage(4010, LogLevel.Information, "Exporting traces and metrics over OTLP ({Protocol}) to {Endpoint} as service {Service}")]
    public static partial void Exporting(ILogger logger, string protocol, Uri endpoint, string service);
}
