using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.Gateway.Hosting;

/// <summary>Ready once the gateway's client is connected to the pipeline, so a request can be turned into a call.</summary>
internal sealed class GatewayReadiness(GatewayConnection connection) : IHealthCheck
{
    public const string Name = "gateway";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(connection.IsConnected
            ? HealthCheckResult.Healthy("connected to the pipeline: web endpoints can be called")
            : HealthCheckResult.Unhealthy("not connected to the pipeline (RabbitMQ): web endpoints cannot be called yet"));
}
