using Microsoft.Extensions.Hosting;

namespace Pipeline.Observability.Health;

/// <summary>
/// The health server's lifetime: none of its own. Signals belong to the process's host, which stops the server last;
/// the console lifetime a web host has by default would stop it at the first SIGTERM, before the drain.
/// </summary>
internal sealed class HealthServerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
