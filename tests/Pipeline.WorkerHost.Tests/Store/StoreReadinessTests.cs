using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.WorkerHost.Store;

namespace Pipeline.WorkerHost.Tests.Store;

public sealed class StoreReadinessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CheckHealthAsync_WhileTheStoreIsDown_IsUnhealthy_AndHealthyOnceAnOperationSucceeds()
    {
        var time = new FakeTimeProvider();
        var outage = new StoreOutage(time, NullLogger<StoreOutage>.Instance) { Random = () => 0.5 };
        var readiness = new StoreReadiness(outage);
        Assert.Equal(HealthStatus.Healthy, (await readiness.CheckHealthAsync(new HealthCheckContext())).Status);
        using var failed = new SemaphoreSlim(0);
        var tries = 0;

        var run = outage.RunAsync(
            "record",
            _ =>
            {
                failed.Release();
                return Interlocked.Increment(ref tries) == 1
                    ? ValueTask.FromException(new PostgresException("the database system is shutting down", "FATAL", "FATAL", "57P03"))
                    : ValueTask.CompletedTask;
            },
            CancellationToken.None).AsTask();
        Assert.True(await failed.WaitAsync(Patience));
        time.Advance(TimeSpan.FromMilliseconds(100));

        var down = await readiness.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("results store", down.Description, StringComparison.Ordinal);

        time.Advance(StoreBackoff.Max);
        await run.WaitAsync(Patience);
        Assert.Equal(HealthStatus.Healthy, (await readiness.CheckHealthAsync(new HealthCheckContext())).Status);
    }
}
