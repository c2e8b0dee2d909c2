using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Pipeline.Observability.Health;

/// <summary>
/// Readiness is Unhealthy from the moment the process starts stopping: it is draining in-flight work and running
/// <c>exit</c> hooks, and takes nothing new. Liveness stays 200 meanwhile (the process is still answering).
/// </summary>
internal sealed class StoppingCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public const string Name = "stopping";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("the process is stopping: draining in-flight work and running exit hooks; it takes no new work")
            : HealthCheckResult.Healthy("not stopping"));
}
