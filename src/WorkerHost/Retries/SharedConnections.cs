using Hangfire.PostgreSql;
using Npgsql;

namespace Pipeline.WorkerHost.Retries;

/// <summary>
/// Hangfire's connections, taken from the results store's pool: a worker host's PostgreSQL connections all count against
/// one limit (<c>Maximum Pool Size</c>, default 20), instead of Hangfire opening a pool of its own (up to Npgsql's 100).
/// Hangfire opens and disposes each connection; disposing returns it to the shared pool.
/// </summary>
internal sealed class SharedConnections(NpgsqlDataSource dataSource) : IConnectionFactory
{
    public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
}
