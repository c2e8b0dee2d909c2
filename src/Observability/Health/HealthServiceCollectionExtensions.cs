using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Observability.Health;

namespace Pipeline.Observability;

/// <summary>Adds the health endpoints to a process: the worker host, the scheduler service and the gateway call it, and so can an app that hosts itself.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Serves <c>/healthz/live</c> and <c>/healthz/ready</c> with ASP.NET Core health checks, and <c>/metrics</c> for
    /// Prometheus (<see cref="MetricsServiceCollectionExtensions.AddPipelineMetrics"/>), on a Kestrel server of its
    /// own, on <c>Pipeline:Health:Address</c> (default <c>127.0.0.1</c>) and <c>Pipeline:Health:Port</c> (default
    /// <c>0</c>: a free port, logged at start), answering from the health checks tagged <c>live</c> and <c>ready</c>.
    /// <c>Pipeline:Health:Enabled=false</c> turns them off. Readiness is Unhealthy once the process is stopping; the
    /// server starts before and stops after every other hosted service. Add the process's own checks to the builder
    /// it returns:
    /// <code>services.AddPipelineHealth(configuration).AddCheck&lt;MyCheck&gt;("scheduler", tags: ["ready"]);</code>
    /// MassTransit's bus check (<c>masstransit-bus</c>, tagged <c>ready</c>) counts as soon as the bus is registered. Safe to call twice.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration holding the <c>Pipeline</c> section.</param>
    /// <returns>The health checks builder, for the process's own checks.</returns>
    /// <exception cref="InvalidOperationException">A setting is wrong; the message names the key.</exception>
    public static IHealthChecksBuilder AddPipelineHealth(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddHealthChecks();
        if (services.Any(s => s.ServiceType == typeof(HealthOptions)))
        {
            return builder;
        }

        var section = configuration.GetSection(HealthOptions.SectionName);
        var options = new HealthOptions();
        section.Bind(options);
        var problems = options.Validate().ToList();
        if (section["Urls"] is { Length: > 0 })
        {
            // The HttpListener prefixes of earlier versions: say what replaced them rather than ignore the setting.
            problems.Add($"{HealthOptions.SectionName}:Urls is no longer read. Set {HealthOptions.SectionName}:Port (0, the default, picks a free port and logs it) and {HealthOptions.SectionName}:Address (default 127.0.0.1; 0.0.0.0 for every address) instead.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid settings: " + string.Join(" ", problems));
        }

        services.AddSingleton(options);
        services.AddSingleton<HealthServer>();
        services.AddPipelineMetrics();

        // The health check service logs every Unhealthy result as an error, once per probe; the server logs each
        // change of readiness once instead (with every check's description).
        services.AddLogging(logging => logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical));

        // First of all hosted services: hosts start them in order and stop them in reverse, so probes are answered
        // while every other service (the bus, the pools and their exit hooks) starts and stops.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<HealthServer>()));
        builder.AddCheck<StoppingCheck>(StoppingCheck.Name, tags: [HealthServer.ReadyTag]);
        return builder;
    }
}
