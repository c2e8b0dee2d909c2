using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Hosting;

/// <summary>Ready once the scheduler's broker connection is open, so a fire can be published; with no schedule, ready at once.</summary>
internal sealed class SchedulerReadiness(ScheduleSet schedules, ServiceConnection connection) : IHealthCheck
{
    public const string Name = "scheduler";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(schedules.All.Count == 0
            ? HealthCheckResult.Healthy("no schedule to fire")
            : connection.IsConnected
                ? HealthCheckResult.Healthy("connected to RabbitMQ: schedules can fire")
                : HealthCheckResult.Unhealthy("not connected to RabbitMQ: no schedule can fire"));
}
