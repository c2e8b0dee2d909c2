using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// The first SIGTERM or SIGINT stops the host gracefully (the generic host handles it); a second one stops the
/// process at once, as Modal's second interrupt does. Unacknowledged inputs then go back to their queues.
/// </summary>
internal sealed class ShutdownSignals(IHostApplicationLifetime lifetime, ILogger<ShutdownSignals> logger) : IHostedService, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            lifetime.StopApplication();
            return;
        }

        Log.HardStop(logger);
        Environment.Exit(128 + (context.Signal == PosixSignal.SIGTERM ? 15 : 2));
    }
}
