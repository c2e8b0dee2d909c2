using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results;

/// <summary>
/// A results store in PostgreSQL, shared by every process that uses the same database and schema: a call spawned in one
/// process can be awaited in another. Behaves as <see cref="InMemoryResultStore"/> does: a spawn retried never resets a
/// finished call, a later record replaces an earlier one, a result expires <see cref="PostgresResultStoreOptions.Retention"/>
/// after it was recorded, and pending calls never expire. Waiting uses LISTEN/NOTIFY on one connection per store, with
/// polling every <see cref="PostgresResultStoreOptions.PollInterval"/> so a lost notification only delays a waiter.
/// Creates its schema and table on first use. Safe for concurrent use; dispose it to close its connections.
/// </summary>
public sealed class PostgresResultStore : IResultStore, IAsyncDisposable
{
    private const string PendingStatus = "pending";

    // PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; longer ids are not notified and their waiters poll.
    private const int MaxNotifyPayloadBytes = 8000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly CallNotifications _notifications;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _schema;
    private readonly string _target;
    private readonly TimeSpan _retention;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _purgeInterval;
    private readonly string _insertPendingSql;
    private readonly string _upsertSql;
    private readonly string _selectSql;
    private readonly string _purgeSql;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private volatile bool _schemaReady;
    private DateTimeOffset _nextPurge = DateTimeOffset.MinValue;
    private Task _purge = Task.CompletedTask;
    private volatile bool _disposed;

    /// <summary>Creates the store from the <c>Pipeline:Results</c> options, as dependency injection does.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock: retention, expiry, purges and wait timeouts are measured with it.</param>
    /// <param name="logger">Where to log; none when null.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message says which and why.</exception>
    public PostgresResultStore(IOptions<PostgresResultStoreOptions> options, TimeProvider time, ILogger<PostgresResultStore>? logger = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, time, logger)
    {
    }

    /// <summary>Creates the store.</summary>
    /// <param name="options">The settings; read once, here.</param>
    /// <param name="time">The clock: retention, expiry, purges and wait timeouts are measured with it.</param>
    /// <param name="logger">Where to log; none when null.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message says which and why.</exception>
    public PostgresResultStore(PostgresResultStoreOptions options, TimeProvider time, ILogger<PostgresResultStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _schema = options.Schema;
        _target = options.Redacted;
        _retention = options.Retention;
        _pollInterval = options.PollInterval;
        _purgeInterval = options.PurgeInterval;
        _dataSource = NpgsqlDataSource.Create(options.EffectiveConnectionString);
        _notifications = new CallNotifications(_dataSource, time, _pollInterval, _logger);

        // Identifiers cannot be parameters: the schema is put into the text, which is safe because Validate only lets
        // letters, digits and underscores through, and it is quoted so that its case is kept.
        var table = $"\"{_schema}\".calls";
        _insertPendingSql =
            $"insert into {table} (call_id, status, attempts, created_at) values ($1, '{PendingStatus}', 0, $2) " +
            "on conflict (call_id) do nothing";
        _upsertSql =
            $"insert into {table} (call_id, status, value, error, attempts, started_at, finished_at, created_at, expires_at) " +
            "values ($1, $2, $3, $4, $5, $6, $7, $8, $9) " +
            "on conflict (call_id) do update set status = excluded.status, value = excluded.value, error = excluded.error, " +
            "attempts = excluded.attempts, started_at = excluded.started_at, finished_at = excluded.finished_at, " +
            "expires_at = excluded.expires_at";
        _selectSql = $"select status, value, error, attempts, started_at, finished_at, expires_at from {table} where call_id = $1";
        _purgeSql = $"delete from {table} where expires_at < $1";
    }

    /// <summary>How long a finished call's result is kept, counted from when it was recorded.</summary>
    public TimeSpan Retention => _retention;

    /// <summary>Test seam: called with the call id each time a waiter has looked, found the call pending, and starts waiting.</summary>
    internal Action<string>? Parked { get; set; }

    /// <inheritdoc />
    public async ValueTask RegisterAsync(string callId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var command = _dataSource.CreateCommand(_insertPendingSql);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = _time.GetUtcNow().ToUniversalTime() });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask RecordAsync(InvocationCompleted result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        TryStartPurge();

        // Expiry counts from when this store recorded the result, by its clock, as InMemoryResultStore does, so a worker
        // with a skewed clock cannot make a result expire early or late.
        var now = _time.GetUtcNow().ToUniversalTime();
        var batch = _dataSource.CreateBatch();
        await using (batch.ConfigureAwait(false))
        {
            var upsert = new NpgsqlBatchCommand(_upsertSql);
            upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result.CallId });
            upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result.Status.ToString() });
            upsert.Parameters.Add(JsonParameter(result.Value is { } value ? value.GetRawText() : null));
            upsert.Parameters.Add(JsonParameter(result.Error is { } error ? WriteError(error) : null));
            upsert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = result.Attempts });
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = result.StartedAt.ToUniversalTime() });
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = result.FinishedAt.ToUniversalTime() });
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = AddClamped(now, _retention) });
            batch.BatchCommands.Add(upsert);

            // In the same implicit transaction: the notification is sent on commit, when waiters can already see the row.
            var notify = new NpgsqlBatchCommand($"select pg_notify('{CallNotifications.Channel}', $1) where octet_length($1) < {MaxNotifyPayloadBytes}");
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = result.CallId });
            batch.BatchCommands.Add(notify);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// An id with no row, or whose result expired, is <see cref="CallState.Unknown"/> at once, without waiting. The timeout
    /// is measured with the store's <see cref="TimeProvider"/>.
    /// </remarks>
    public async ValueTask<CallLookup> GetAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        TryStartPurge();
        var lookup = await LookAsync(callId, cancellationToken).ConfigureAwait(false);
        return lookup.State != CallState.Pending || timeout == TimeSpan.Zero
            ? lookup
            : await WaitAsync(callId, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the results that expired. Lookups already treat them as unknown, and the store purges by itself at most once
    /// per <see cref="PostgresResultStoreOptions.PurgeInterval"/> while it is used; call this to purge at a time of your choosing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>The number of results deleted.</returns>
    public async ValueTask<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await DeleteExpiredAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task purge;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            purge = _purge;
        }

        // A purge stopped here is harmless: whatever it left, the next purge deletes. It never throws (see below).
        await _disposing.CancelAsync().ConfigureAwait(false);
        await purge.ConfigureAwait(false);

        await _notifications.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
        _schemaLock.Dispose();
    }

    private static NpgsqlParameter JsonParameter(string? json) =>
        new() { NpgsqlDbType = NpgsqlDbType.Json, Value = (object?)json ?? DBNull.Value };

    private static DateTimeOffset AddClamped(DateTimeOffset time, TimeSpan span) =>
        span >= DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;

    private static string WriteError(RemoteError error)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", error.Type);
            writer.WriteString("message", error.Message);
            writer.WriteString("stackTrace", error.StackTrace);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static RemoteError ReadError(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new RemoteError(
            root.GetProperty("type").GetString() ?? "",
            root.GetProperty("message").GetString() ?? "",
            root.TryGetProperty("stackTrace", out var stackTrace) ? stackTrace.GetString() : null);
    }

    private static JsonElement ReadValue(string json)
    {
        // The json column keeps the text as written, so the element's raw text is the recorded one byte for byte.
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private async Task<CallLookup> LookAsync(string callId, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(_selectSql);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return new CallLookup(CallState.Unknown, null);
                }

                if (!reader.IsDBNull(6) && reader.GetFieldValue<DateTimeOffset>(6) < _time.GetUtcNow())
                {
                    // Expired but not purged yet: as good as gone.
                    return new CallLookup(CallState.Unknown, null);
                }

                var status = reader.GetString(0);
                if (status == PendingStatus)
                {
                    return new CallLookup(CallState.Pending, null);
                }

                if (!Enum.TryParse<InvocationStatus>(status, ignoreCase: false, out var parsed) || !Enum.IsDefined(parsed))
                {
                    throw new InvalidOperationException(
                        $"Call {callId} has status '{status}' in {_schema}.calls, which this version of Pipeline does not know.");
                }

                var result = new InvocationCompleted
                {
                    CallId = callId,
                    Status = parsed,
                    Value = reader.IsDBNull(1) ? null : ReadValue(reader.GetString(1)),
                    Error = reader.IsDBNull(2) ? null : ReadError(reader.GetString(2)),
                    Attempts = reader.GetInt32(3),
                    StartedAt = reader.IsDBNull(4) ? default : reader.GetFieldValue<DateTimeOffset>(4),
                    FinishedAt = reader.IsDBNull(5) ? default : reader.GetFieldValue<DateTimeOffset>(5),
                };
                return new CallLookup(CallState.Completed, result);
            }
        }
    }

    private async Task<CallLookup> WaitAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        TimeSpan Remaining() => timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout - _time.GetElapsedTime(started);
        TimeSpan Nap(TimeSpan remaining) =>
            remaining == Timeout.InfiniteTimeSpan || remaining > _pollInterval ? _pollInterval
            : remaining > TimeSpan.Zero ? remaining
            : TimeSpan.Zero;

        using var waiter = _notifications.Subscribe(callId);

        // Once LISTEN is in effect, every record after the next look is heard. Bounded, so that a listener that cannot
        // connect only makes this waiter poll.
        try
        {
            await waiter.Listening.WaitAsync(Nap(Remaining()), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Not listening yet: the loop below polls until it is.
        }

        while (true)
        {
            // Armed before looking, so a notification sent after the look wakes the wait below.
            var notified = waiter.Arm();
            var lookup = await LookAsync(callId, cancellationToken).ConfigureAwait(false);
            var remaining = Remaining();
            if (lookup.State != CallState.Pending || (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero))
            {
                return lookup;
            }

            Parked?.Invoke(callId);
            try
            {
                await notified.WaitAsync(Nap(remaining), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // No notification within the poll interval (or what was left of the timeout): look again.
            }
        }
    }

    private async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_schemaReady)
        {
            return;
        }

        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            try
            {
                await CreateSchemaAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e)
            {
                Log.SchemaFailed(_logger, e, _target, _schema);
                throw new InvalidOperationException(
                    $"The results store cannot use PostgreSQL {_target} (schema {_schema}): {e.Message} " +
                    $"Check {PostgresResultStoreOptions.SectionName}:ConnectionString (else the {PostgresResultStoreOptions.EnvironmentVariable} " +
                    "environment variable); infra/up.sh starts a local server.",
                    e);
            }

            _schemaReady = true;
            Log.SchemaReady(_logger, _target, _schema);
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
                    lockCommand.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _schema });
                    batch.BatchCommands.Add(lockCommand);

                    // A schema made beforehand by an administrator needs no CREATE right on the database: look before creating.
                    var exists = new NpgsqlBatchCommand("select to_regclass($1) is not null");
                    exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"\"{_schema}\".calls" });
                    batch.BatchCommands.Add(exists);

                    var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    bool tableExists;
                    await using (reader.ConfigureAwait(false))
                    {
                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                        tableExists = reader.GetBoolean(0);
                    }

                    if (!tableExists)
                    {
                        await CreateTableAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CreateTableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // value and error are json, not jsonb: jsonb rewrites what it stores (key order, duplicate keys, number forms such as
        // 1E+20) and refuses \u0000, and a result must come back exactly as it was recorded.
        var ddl = new NpgsqlCommand(
            $"""
            create schema if not exists "{_schema}";
            create table if not exists "{_schema}".calls (
                call_id text primary key,
                status text not null,
                value json null,
                error json null,
                attempts integer not null default 0,
                started_at timestamptz null,
                finished_at timestamptz null,
                created_at timestamptz not null,
                expires_at timestamptz null
            );
            create index if not exists calls_expires_at on "{_schema}".calls (expires_at) where expires_at is not null;
            """,
            connection,
            transaction);
        await using (ddl.ConfigureAwait(false))
        {
            await ddl.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void TryStartPurge()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_disposed || now < _nextPurge || !_purge.IsCompleted)
            {
                return;
            }

            _nextPurge = AddClamped(now, _purgeInterval);

            // In the background: a lookup or a record never waits for a delete of other calls' rows.
            _purge = Task.Run(() => PurgeInBackgroundAsync(now, _disposing.Token));
        }
    }

    private async Task PurgeInBackgroundAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteExpiredAsync(now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nobody awaits this task but DisposeAsync, so it must not fault; a failure stopped by disposal is no news.
            if (!cancellationToken.IsCancellationRequested)
            {
                Log.PurgeFailed(_logger, e, _schema);
            }
        }
    }

    private async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(_purgeSql);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() });
            var count = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                Log.Purged(_logger, count, _schema);
            }

            return count;
        }
    }
}
