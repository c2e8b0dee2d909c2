using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.Retries;

/// <summary>
/// The Hangfire job storage and server that deliver delayed retries. Every worker host with PostgreSQL runs one, so
/// retries do not depend on any one process; the storage's sliding invisibility timeout keeps a long delivery from
/// being run twice. Hangfire resolves only the delivery job's type and the BCL types of its arguments.
/// </summary>
internal sealed class RetryServer : IHostedLifecycleService, IDisposable
{
    private const string JobQueue = "pipeline_retries";
    private static readonly TimeSpan ShutdownPatience = TimeSpan.FromSeconds(2);
    private static int s_resolverSet;
    private readonly IServiceProvider _services;
    private readonly RetryOptions _options;
    private readonly ILogger<RetryServer> _logger;
    private BackgroundJobServer? _server;

    public RetryServer(IServiceProvider services, Npgsql.NpgsqlDataSource connections, RetryOptions options, ILogger<RetryServer> logger)
    {
        _services = services;
        _options = options;
        _logger = logger;
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = options.Schema,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = options.PollInterval,
            UseSlidingInvisibilityTimeout = true,

            // A host killed while it held the scheduler's lock (preemption, OOM) would stall every due retry for the
            // default 10 minutes; the lock is only held for one poll, so a short expiry is safe.
            DistributedLockTimeout = TimeSpan.FromSeconds(15),
        };
        // Connections come from the results store's pool, so the process stays within one documented limit.
        Storage = new PostgreSqlStorage(new SharedConnections(connections), storageOptions);
        Jobs = new BackgroundJobClient(Storage);
        Jobs.RetryAttempts = 0;
        RestrictTypes();
    }

    public JobStorage Storage { get; }

    public BackgroundJobClient Jobs { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                ServerName = $"pipeline-{Environment.MachineName}-{Environment.ProcessId}",
                WorkerCount = _options.Workers,
                Queues = [JobQueue, "default"],
                SchedulePollingInterval = _options.PollInterval,
                Activator = new Activator(_services),
                StopTimeout = ShutdownPatience,
                ShutdownTimeout = ShutdownPatience,
            },
            Storage);
        Log.RetryServerStarted(_logger, _options.Schema, _options.PollInterval.TotalMilliseconds);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Told to stop as the host begins stopping, so Hangfire winds down while the pools drain instead of after them.
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _server?.SendStop();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not { } server)
        {
            return;
        }

        // A delivery cut short is sent again by another host (the job stays in the store), so waiting long buys nothing.
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(ShutdownPatience);
        try
        {
            await server.WaitForShutdownAsync(patience.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Leave the rest to Dispose.
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _server?.Dispose();

    // Job types come from our own table, but whoever can write that table should not be able to name any type.
    private static void RestrictTypes()
    {
        if (Interlocked.Exchange(ref s_resolverSet, 1) == 1)
        {
            return;
        }

        var job = typeof(RetryDeliveryJob);
        GlobalConfiguration.Configuration.UseTypeResolver(name =>
        {
            var resolved = TypeHelper.DefaultTypeResolver(name);
            return resolved == job || resolved.Assembly == typeof(object).Assembly
                ? resolved
                : throw new InvalidOperationException($"The retry store names type '{name}', which is not a Pipeline retry job; it is not loaded.");
        });
    }

    private sealed class Activator(IServiceProvider services) : JobActivator
    {
        public override object ActivateJob(Type jobType) => ActivatorUtilities.CreateInstance(services, jobType);
    }
}
