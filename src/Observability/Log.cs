using Microsoft.Extensions.Logging;

namespace Pipeline.Observability;

/// <summary>Log messages of Pipeline.Observability; event ids 4000-4099.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Health endpoints on {Urls}: /healthz/live and /healthz/ready")]
    public static partial void HealthListening(ILogger logger, string urls);

    [LoggerMessage(4001, LogLevel.Warning, "Health endpoints could not listen on {Urls} ({Reason}); this process runs on without them. Set Pipeline:Health:Urls to a free port, or to empty to turn them off")]
    public static partial void HealthNotListening(ILogger logger, string urls, string reason);

    [LoggerMessage(4002, LogLevel.Information, "Readiness is now {Status}: {Description}")]
    public static partial void ReadinessChanged(ILogger logger, string status, string description);

    [LoggerMessage(4003, LogLevel.Debug, "Health request failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(4010, LogLevel.Information, "Exporting traces and metrics over OTLP ({Protocol}) to {Endpoint} as service {Service}")]
    public static partial void Exporting(ILogger logger, string protocol, Uri endpoint, string service);
}
