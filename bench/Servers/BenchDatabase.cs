using Npgsql;

namespace Pipeline.Bench.Servers;

/// <summary>PostgreSQL schemas of the run's own for spawned results and retry jobs; dropped at the end.</summary>
internal sealed class BenchDatabase(string connectionString) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public string Schema { get; } = "bench_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The worker hosts' durable retry jobs (Hangfire's tables), a schema of the run's own too.</summary>
    public string RetrySchema => Schema + "_retries";

    /// <summary>Checks the server answers, so a missing database stops the run with the fix instead of a hang.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"PostgreSQL is unreachable ({e.Message}). Run infra/up.sh, or set PIPELINE_POSTGRES.", e);
        }
    }

    /// <summary>Calls whose result the hosts recorded (any status other than pending).</summary>
    public async Task<long> FinishedCallsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"select count(*) from \"{Schema}\".calls where status <> 'pending'", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists \"{Schema}\" cascade; drop schema if exists \"{RetrySchema}\" cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
