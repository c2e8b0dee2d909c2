using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Results;

/// <summary>
/// The tables of one <see cref="PostgresResultStore"/>'s schema: made on first use, or brought up to date when an older
/// version of Pipeline made them, once per store.
/// </summary>
/// <param name="dataSource">The store's connections.</param>
/// <param name="schema">The schema name, already validated (letters, digits, underscores).</param>
/// <param name="target">The redacted connection string, for messages.</param>
/// <param name="logger">Where to log.</param>
internal sealed class ResultsSchema(NpgsqlDataSource dataSource, string schema, string target, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _ready;

    /// <summary>Makes sure the tables exist with every column this version uses; after the first success, returns at once.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <exception cref="InvalidOperationException">PostgreSQL cannot be used; the message says where and how to fix it.</exception>
    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            try
            {
                await CreateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e)
            {
                Log.SchemaFailed(logger, e, target, schema);
                throw new InvalidOperationException(
                    $"The results store cannot use PostgreSQL {target} (schema {schema}): {e.Message} " +
                    $"Check {PostgresResultStoreOptions.SectionName}:ConnectionString (else the {PostgresResultStoreOptions.EnvironmentVariable} " +
                    "environment variable); infra/up.sh starts a local server.",
                    e);
            }

            _ready = true;
            Log.SchemaReady(logger, target, schema);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // Two processes starting at once would both try to create the schema, and "if not exists" does not stop the
                // loser failing on a unique index: the lock makes the second wait for the first and then find it all there.
                var batch = new NpgsqlBatch(connection, transaction);
                await using (batch.ConfigureAwait(false))
                {
                    var lockCommand = new NpgsqlBatchCommand("select pg_advisory_xact_lock(hashtext('pipeline.results'), hashtext($1))");
                    lockCommand.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
                    batch.BatchCommands.Add(lockCommand);

                    // A schema made beforehand by an administrator needs no CREATE right on the database: look before creating.
                    // Everything this version needs must be there; a schema of an older version is missing some of it.
                    var exists = new NpgsqlBatchCommand(
                        "select to_regclass($1) is not null and to_regclass($2) is not null and exists " +
                        "(select 1 from pg_attribute where attrelid = to_regclass($1) and attname = 'duplicate_of' and not attisdropped)");
                    exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"\"{schema}\".calls" });
                    exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"\"{schema}\".idempotency" });
                    batch.BatchCommands.Add(exists);

                    var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    bool complete;
                    await using (reader.ConfigureAwait(false))
                    {
                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                        complete = reader.GetBoolean(0);
                    }

                    if (!complete)
                    {
                        await CreateTablesAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CreateTablesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // value and error are json, not jsonb: jsonb rewrites what it stores (key order, duplicate keys, number forms such as
        // 1E+20) and refuses \u0000, and a result must come back exactly as it was recorded. Every statement is idempotent, and
        // columns added after the first version are also added with "alter table", so older databases are upgraded in place.
        var ddl = new NpgsqlCommand(
            $"""
            create schema if not exists "{schema}";
            create table if not exists "{schema}".calls (
                call_id text primary key,
                status text not null,
                value json null,
                error json null,
                attempts integer not null default 0,
                started_at timestamptz null,
                finished_at timestamptz null,
                created_at timestamptz not null,
                expires_at timestamptz null,
                duplicate_of text null,
                parent_call_id text null
            );
            alter table "{schema}".calls add column if not exists duplicate_of text null;
            alter table "{schema}".calls add column if not exists parent_call_id text null;
            create index if not exists calls_expires_at on "{schema}".calls (expires_at) where expires_at is not null;
            create index if not exists calls_duplicates on "{schema}".calls (created_at) where duplicate_of is not null;
            create table if not exists "{schema}".idempotency (
                key text primary key,
                call_id text not null,
                created_at timestamptz not null,
                expires_at timestamptz not null
            );
            create index if not exists idempotency_expires_at on "{schema}".idempotency (expires_at);
            """,
            connection,
            transaction);
        await using (ddl.ConfigureAwait(false))
        {
            await ddl.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
