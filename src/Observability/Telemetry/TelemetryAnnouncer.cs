using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Observability.Telemetry;

/// <summary>Says once, at start, where traces and metrics go, so an operator sees that export is on.</summary>
internal sealed class TelemetryAnnouncer(IServiceProvider services, string protocol, Uri endpoint, string service) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Exporting(services.GetRequiredService<ILogger<TelemetryAnnouncer>>(), protocol, endpoint, service);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
