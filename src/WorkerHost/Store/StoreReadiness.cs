using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.WorkerHost.Store;

/// <summary>
/// Part of the worker host's readiness (<c>/healthz/ready</c>) when it records results in PostgreSQL: not ready while the
/// store is unavailable (its inputs wait meanwhile), ready again at the first operation that succeeds.
/// </summary>
internal sealed class StoreReadiness(StoreOutage outage) : IHealthCheck
{
    public const string Name = "results-store";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(outage.IsDown
            ? HealthCheckResult.Unhealthy($"the results store (PostgreSQL) has not answered for {outage.Downtime.TotalSeconds:0.#} s: inputs wait until it does")
            : HealthCheckResult.Healthy("the results store answers"));
}
