using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Observability.Health;

namespace Pipeline.Observability;

/// <summary>Adds the health endpoints to a process: worker hosts call it, and so can the scheduler service or an app that hosts itself.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Serves <c>/healthz/live</c> and <c>/healthz/ready</c> on <c>Pipeline:Health:Urls</c> (default
    /// <c>http://127.0.0.1:8081/</c>; empty turns them off), answering from the health checks tagged <c>live</c> and
    /// <c>ready</c>. Add the process's own checks to the builder it returns:
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

        var options = new HealthOptions();
        configuration.GetSection(HealthOptions.SectionName).Bind(options);
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("Invalid settings: " + string.Join(" ", problems));
        }

        services.AddSingleton(options);
        services.AddHostedService<HealthEndpoint>();
        return builder;
    }
}
