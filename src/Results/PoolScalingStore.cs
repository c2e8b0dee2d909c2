using Npgsql;

namespace Pipeline.Results;

/// <summary>
/// The scaling settings set at run time, one row per pool in <c>&lt;schema&gt;.pool_scaling</c> of the results database:
/// the CLI writes them, every worker host reads them on each reconcile tick, so a change reaches running hosts within a
/// tick and outlives every restart. The table is made on first use.
/// </summary>
/// <param name="dataSource">The results store's connections.</param>
/// <param name="schema">The results schema, already validated (letters, digits, underscores).</param>
internal sealed class PoolScalingStore(NpgsqlDataSource dataSource, string schema)
{
    private volatile bool _ready;

    /// <summary>Every pool's stored settings.</summary>
    public async Task<IReadOnlyList<StoredPoolScale>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var command = dataSource.CreateCommand($"""select queue, min_containers, max_containers, buffer_containers, updated_at from "{schema}".pool_scaling""");
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var rows = new List<StoredPoolScale>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(new StoredPoolScale(reader.GetString(0), NullableInt(reader, 1), NullableInt(reader, 2), NullableInt(reader, 3), reader.GetFieldValue<DateTimeOffset>(4)));
                }

                return rows;
            }
        }
    }

    /// <summary>One pool's stored settings, or null when it has none.</summary>
    public async Task<StoredPoolScale?> ReadAsync(string queue, CancellationToken cancellationToken) =>
        (await ReadAllAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Queue == queue);

    /// <summary>Stores a pool's settings, replacing what it had.</summary>
    public async Task SetAsync(StoredPoolScale scaling, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var command = dataSource.CreateCommand(
            $"""
            insert into "{schema}".pool_scaling (queue, min_containers, max_containers, buffer_containers, updated_at) values ($1, $2, $3, $4, $5)
            on conflict (queue) do update set min_containers = excluded.min_containers, max_containers = excluded.max_containers,
                buffer_containers = excluded.buffer_containers, updated_at = excluded.updated_at
            """);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = scaling.Queue });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)scaling.Min ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)scaling.Max ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)scaling.Buffer ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = scaling.UpdatedAt });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes a pool's settings: its attributes apply again. False when it had none.</summary>
    public async Task<bool> ResetAsync(string queue, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var command = dataSource.CreateCommand($"""delete from "{schema}".pool_scaling where queue = $1""");
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = queue });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }

    private static int? NullableInt(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        // Idempotent, and the advisory lock keeps two processes creating it at once from failing on the unique index.
        var command = dataSource.CreateCommand(
            $"""
            select pg_advisory_xact_lock(hashtext('pipeline.pool_scaling'), hashtext('{schema}'));
            create schema if not exists "{schema}";
            create table if not exists "{schema}".pool_scaling (
                queue text primary key,
                min_containers integer null,
                max_containers integer null,
                buffer_containers integer null,
                updated_at timestamptz not null
            );
            """);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _ready = true;
    }
}
