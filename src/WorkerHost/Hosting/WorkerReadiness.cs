using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// The worker host's readiness (<c>/healthz/ready</c>): ready while its bus is connected, so it hears pool notices and
/// can start containers; not ready while the broker is down or refuses it (MassTransit alone calls that Degraded, which
/// a probe would read as ready).
/// </summary>
internal sealed class WorkerReadiness(IBusControl bus) : IHealthCheck
{
    public const string Name = "worker";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        return Task.FromResult(health.Status == BusHealthStatus.Healthy
            ? HealthCheckResult.Healthy("connected to RabbitMQ: pools can start")
            : HealthCheckResult.Unhealthy($"no container can start: the broker connection is not ready ({health.Description})"));
    }
}
