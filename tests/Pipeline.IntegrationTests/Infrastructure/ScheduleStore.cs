using Npgsql;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>A scheduler store of one test class's own: a fresh schema in the shared PostgreSQL, dropped by
/// <see cref="DropAsync"/> when the class is done (its IAsyncLifetime.DisposeAsync).</summary>
public sealed class ScheduleStore(Servers servers)
{
    /// <summary>The schema's name, for <c>Pipeline:Scheduler:Schema</c>.</summary>
    public string Schema { get; } = "test_sched_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Drops the schema and everything the schedulers wrote in it.</summary>
    public async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(servers.Postgres);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists \"{Schema}\" cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
