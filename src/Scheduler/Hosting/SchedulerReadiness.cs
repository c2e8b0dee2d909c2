using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.Scheduler.Hosting;

/// <summary>Ready once the scheduler's broker connection is open, so a fire can be published.</summary>
internal sealed class SchedulerReadiness(ServiceConnection connection) : IHealthCheck
{
    public const string Name = "scheduler";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(connection.IsConnected
            ? HealthCheckResult.Healthy("connected to RabbitMQ: schedules can fire")
            : HealthCheckResult.Unhealthy("not connected to RabbitMQ: no schedule can fire"));
}
