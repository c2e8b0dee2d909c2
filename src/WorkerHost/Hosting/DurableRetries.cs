using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.Results;
using Pipeline.WorkerHost.Retries;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// Runs the Hangfire retry server when the options in effect at start name a PostgreSQL (<c>Pipeline:Results</c>, or
/// one set with <c>Configure&lt;PostgresResultStoreOptions&gt;</c>); does nothing otherwise. The choice is made on the
/// options, not at registration, so a connection string set from code counts.
/// </summary>
internal sealed class DurableRetries(IServiceProvider services, IOptions<PostgresResultStoreOptions> results) : IHostedLifecycleService
{
    private RetryServer? Server => PipelineServiceCollectionExtensions.IsDurable(results.Value) ? services.GetRequiredService<RetryServer>() : null;

    public Task StartingAsync(CancellationToken cancellationToken) => Server?.StartingAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Server?.StartAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Server?.StartedAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Server?.StoppingAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Server?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Server?.StoppedAsync(cancellationToken) ?? Task.CompletedTask;
}
