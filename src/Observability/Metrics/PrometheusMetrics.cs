namespace Pipeline.Observability.Metrics;

/// <summary>Marks a process whose meter provider has the Prometheus exporter, so its health server maps <see cref="Path"/>.</summary>
internal sealed class PrometheusMetrics
{
    /// <summary>Where the metrics are served, on the health endpoints' port.</summary>
    public const string Path = "/metrics";
}
