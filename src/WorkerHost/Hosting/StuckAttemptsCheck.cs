using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipeline.Consumers.Lifecycle;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// Readiness detail for stuck attempts (<c>/healthz/ready</c>, check <c>stuck-attempts</c>): Degraded while an attempt
/// runs on past its timeout or cancel and <c>StuckAttemptGrace</c>. The host still serves (the stuck container was
/// replaced), so a probe keeps reading it as ready, but the thread and its memory stay in use until the code returns.
/// </summary>
internal sealed class StuckAttemptsCheck(StuckAttempts stuck, TimeProvider time) : IHealthCheck
{
    public const string Name = "stuck-attempts";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = stuck.Now;
        if (now.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no stuck attempt"));
        }

        var clock = time.GetUtcNow();
        var list = string.Join("; ", now.Select(a => string.Create(
            CultureInfo.InvariantCulture,
            $"{a.What} in container {a.ContainerId} ({a.Queue}), running {(clock - a.StartedAt).TotalSeconds:0} s")));
        return Task.FromResult(HealthCheckResult.Degraded(
            $"{now.Count} stuck attempt(s) ignore their cancellation (their containers were replaced; .NET cannot abort a thread): {list}"));
    }
}
