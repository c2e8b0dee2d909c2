using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Pipeline.Observability.Metrics;

namespace Pipeline.Observability;

/// <summary>Serves the process's metrics to Prometheus (and so to KEDA or the Horizontal Pod Autoscaler) at <c>/metrics</c>.</summary>
public static class MetricsServiceCollectionExtensions
{
    // Seconds, from a fast input to an hour-long one: the SDK's default buckets are made for milliseconds.
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    /// <summary>
    /// Collects the <c>Pipeline</c> and <c>MassTransit</c> meters for OpenTelemetry's Prometheus exporter; the health
    /// server (<see cref="HealthServiceCollectionExtensions.AddPipelineHealth"/>, which calls this) serves them at
    /// <c>/metrics</c> on <c>Pipeline:Health:Port</c>. Histograms in seconds get buckets from 5 ms to an hour. Also
    /// registers <see cref="System.Diagnostics.Metrics.IMeterFactory"/> for a process's own instruments. Safe to call twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddPipelineMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(s => s.ServiceType == typeof(PrometheusMetrics)))
        {
            return services;
        }

        services.AddSingleton<PrometheusMetrics>();
        services.AddMetrics();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(TelemetryServiceCollectionExtensions.PipelineSource, TelemetryServiceCollectionExtensions.MassTransitSource)
            .AddView(instrument => instrument.Meter.Name == TelemetryServiceCollectionExtensions.PipelineSource && instrument.Unit == "s"
                ? new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets }
                : null)
            .AddPrometheusExporter());
        return services;
    }
}
