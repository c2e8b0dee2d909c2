using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Pipeline.Scheduler.Store;

/// <summary>
/// The PostgreSQL side of the clustered store. Quartz 4.7 creates its own tables when they are missing
/// (<c>ProvisionSchema</c>, the script of the Quartz version in use, so it always matches it); this makes the schema
/// they live in, and serializes start-ups: each instance holds a PostgreSQL advisory lock, keyed by schema and
/// cluster, while it makes the schema, lets Quartz make its tables and writes the schedules, so two instances
/// starting at once never race on either.
/// </summary>
internal sealed class StoreSchema : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private StoreSchema(NpgsqlConnection connection)
    {
        _connection = connection;
    }

    /// <summary>
    /// Quartz's table prefix: its tables in the schema, named as before (<c>qrtz_*</c>). The schema is part of the
    /// prefix rather than a search path, since the connections come from a data source the process shares.
    /// </summary>
    public static string TablePrefix(SchedulerOptions options) => $"\"{options.Schema}\".qrtz_";

    /// <summary>Takes the start-up lock and makes the schema; dispose to release the lock.</summary>
    public static async Task<StoreSchema> LockAndCreateAsync(NpgsqlDataSource dataSource, SchedulerOptions options, CancellationToken cancellationToken)
    {
        var connection = dataSource.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var take = new NpgsqlCommand("select pg_advisory_lock($1)", connection))
            {
                take.Parameters.Add(new NpgsqlParameter { Value = LockKey(options) });
                await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // The name passed SchedulerOptions.Validate (letters, digits, underscores), so quoting it is enough.
            await using (var create = new NpgsqlCommand($"create schema if not exists \"{options.Schema}\"", connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new StoreSchema(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Releases the lock (closing the session would too).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock_all()", _connection);
            await release.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static long LockKey(SchedulerOptions options) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"pipeline-scheduler|{options.Schema}|{options.ClusterName}")), 0);
}
