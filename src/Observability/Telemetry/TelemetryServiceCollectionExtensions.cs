using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pipeline.Observability.Telemetry;

namespace Pipeline.Observability;

/// <summary>Exports Pipeline's and MassTransit's traces and metrics over OTLP when <c>Pipeline:Telemetry:OtlpEndpoint</c> is set.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The activity source and meter names Pipeline records under (spans and metrics of calls and containers).</summary>
    public const string PipelineSource = "Pipeline";

    /// <summary>MassTransit's own activity source and meter: send, receive and consume spans, and its message metrics.</summary>
    public const string MassTransitSource = "MassTransit";

    /// <summary>
    /// With <c>Pipeline:Telemetry:OtlpEndpoint</c> set, exports the <c>Pipeline</c> and <c>MassTransit</c> traces and metrics
    /// to that OTLP collector; without it, adds nothing, and nothing is exported. Safe to call twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration holding the <c>Pipeline</c> section.</param>
    /// <returns>The services.</returns>
    /// <exception cref="InvalidOperationException">A setting is wrong; the message names the key.</exception>
    public static IServiceCollection AddPipelineTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("Invalid settings: " + string.Join(" ", problems));
        }

        if (options.OtlpEndpoint is not { } endpoint || services.Any(s => s.ServiceType == typeof(TelemetryOptions)))
        {
            return services;
        }

        services.AddSingleton(options);
        var protocol = options.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        var service = options.ServiceName is { Length: > 0 } name ? name : Assembly.GetEntryAssembly()?.GetName().Name ?? "pipeline";
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(service))
            .WithTracing(tracing => tracing
                .AddSource(PipelineSource, MassTransitSource)
                .AddOtlpExporter(otlp => Configure(otlp, endpoint, protocol, "v1/traces")))
            .WithMetrics(metrics => metrics
                .AddMeter(PipelineSource, MassTransitSource)
                .AddOtlpExporter(otlp => Configure(otlp, endpoint, protocol, "v1/metrics")));
        services.AddHostedService(sp => new TelemetryAnnouncer(sp, options.OtlpProtocol, endpoint, service));
        return services;
    }

    // With HTTP, the exporter posts to the endpoint as given: add the signal's path to the collector's base address.
    private static void Configure(OtlpExporterOptions otlp, Uri endpoint, OtlpExportProtocol protocol, string path)
    {
        otlp.Protocol = protocol;
        otlp.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or ""
            ? new Uri(endpoint, path)
            : endpoint;
    }
}
