using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Lifecycle;
using Pipeline.WorkerHost.Hosting;

namespace Pipeline.WorkerHost.Tests.Hosting;

/// <summary>Readiness names each stuck attempt (call, container, pool, how long it runs) while it runs, and only then.</summary>
public sealed class StuckAttemptsCheckTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly StuckAttempts _stuck = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));

    [Fact]
    public async Task CheckHealthAsync_AStuckAttempt_IsDegradedNamingItUntilItReturns()
    {
        var check = new StuckAttemptsCheck(_stuck, _time);
        var attempt = new StuckAttempt("ct-0123456789ab", "itest.stuck", "call fc-42 to itest.stuck", _time.GetUtcNow());
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        _stuck.Add(attempt);
        _time.Advance(TimeSpan.FromSeconds(12));
        var degraded = await check.CheckHealthAsync(new HealthCheckContext());
        _stuck.Remove(attempt);
        var healthy = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("call fc-42 to itest.stuck in container ct-0123456789ab (itest.stuck), running 12 s", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
    }
}
