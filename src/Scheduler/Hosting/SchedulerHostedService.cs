using Microsoft.Extensions.Hosting;
using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Hosting;

/// <summary>The scheduler service: connects to the broker, then starts firing; on stop, stops firing, then disconnects.</summary>
internal sealed class SchedulerHostedService(ScheduleSet schedules, ScheduleRuntime runtime, ServiceConnection connection) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (schedules.All.Count > 0)
        {
            await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }

        await runtime.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await runtime.StopAsync(cancellationToken).ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }
}
