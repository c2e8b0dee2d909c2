using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;
using Npgsql;

namespace Pipeline.Bench.Peers;

/// <summary>
/// Hangfire on the same PostgreSQL, the job system a .NET team would otherwise pick: Hangfire.PostgreSql at the version
/// the worker hosts already use, in a schema of the run's own, with the settings its documentation recommends for low
/// latency (long polling with LISTEN/NOTIFY, a short queue poll, sliding invisibility) and as many workers as Hangfire's
/// default for this machine (5 per core, at most 20). docs/benchmarks.md says why these are fair.
/// </summary>
internal sealed class HangfirePeer : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly PostgreSqlStorage _storage;
    private readonly BackgroundJobServer _server;

    private HangfirePeer(string connectionString, string schema, int workers)
    {
        _connectionString = connectionString;
        Schema = schema;
        Workers = workers;
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = schema,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = TimeSpan.FromMilliseconds(50),
            UseSlidingInvisibilityTimeout = true,

            // Hangfire.PostgreSql 1.21.1 now and then leaves a fetched job unprocessed (its queue row fetched, the job
            // Enqueued, no worker on it; seen in about one full run in two here, the class of its issue #161): it is
            // fetched again only once the invisibility timeout passes (30 min by default), which would stall the run.
            // 30 s is a dead-worker threshold with the sliding timeout (the live worker renews it), not a job limit.
            InvisibilityTimeout = TimeSpan.FromSeconds(30),
            EnableLongPolling = true,
        };
        _storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        Client = new BackgroundJobClient(_storage) { RetryAttempts = 0 };
        _server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers, ServerName = "bench-" + schema }, _storage);
    }

    public string Schema { get; }

    public int Workers { get; }

    public BackgroundJobClient Client { get; }

    public static string Version => typeof(PostgreSqlStorage).Assembly.GetName().Version?.ToString(3) ?? "?";

    /// <summary>The most connections the peer opens: its workers, the enqueuers and its server's components fit in it, and the server's other users keep the rest.</summary>
    public const int MaxConnections = 30;

    public static HangfirePeer Start(string connectionString, string schema) =>
        new(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = MaxConnections }.ConnectionString, schema, Math.Min(Environment.ProcessorCount * 5, 20));

    /// <summary>Jobs in the Succeeded state, from Hangfire's own monitoring API (its result is kept with that state).</summary>
    public long Succeeded()
    {
        IMonitoringApi monitoring = _storage.GetMonitoringApi();
        return monitoring.SucceededListCount();
    }

    public async ValueTask DisposeAsync()
    {
        _server.SendStop();
        await _server.WaitForShutdownAsync(CancellationToken.None);
        _server.Dispose();
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists \"{Schema}\" cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
