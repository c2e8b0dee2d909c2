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
/// finished call, a later record replaces an earlier one (but never a cancellation), a result expires
/// <see cref="PostgresResultStoreOptions.Retention"/> after it was recorded, and pending calls never expire. Idempotency keys
/// are claimed in one statement, so processes claiming one key at once agree on its owner. Waiting uses LISTEN/NOTIFY on one
/// connection per store, with polling every <see cref="PostgresResultStoreOptions.PollInterval"/> so a lost notification only
/// delays a waiter. Creates its schema and tables on first use, and adds what an older version lacks. Safe for concurrent
/// use; dispose it to close its connections.
/// </summary>
public sealed class PostgresResultStore : IResultStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly WriteBatcher _writes;
    private readonly LookupBatcher _lookups;
    private readonly CallNotifications _notifications;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _schema;
    private readonly string _target;
    private readonly TimeSpan _retention;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _purgeInterval;
    private readonly ResultsSchema _tables;
    private readonly ResultsSql _sql;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
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
        _dataSource = NpgsqlDataSource.Create(options.PooledConnectionString);
        _sql = new ResultsSql(_schema);
        _writes = new WriteBatcher(_dataSource, _sql);
        _lookups = new LookupBatcher(_dataSource, _sql);
        _notifications = new CallNotifications(_dataSource, time, _pollInterval, _logger);
        _tables = new ResultsSchema(_dataSource, _schema, _target, _logger);
    }

    /// <summary>How long a finished call's result is kept, counted from when it was recorded.</summary>
    public TimeSpan Retention => _retention;

    /// <inheritdoc />
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public ValueTask RegisterAsync(string callId, CancellationToken cancellationToken) => RegisterAsync(callId, null, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public async ValueTask RegisterAsync(string callId, string? parentCallId, CancellationToken cancellationToken)
    {
        await GuardAsync(
            async token =>
            {
                await RegisterCoreAsync(callId, parentCallId, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public async ValueTask<string?> GetParentCallIdAsync(string callId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        return await GuardAsync(
            async token =>
            {
                await EnsureSchemaAsync(token).ConfigureAwait(false);
                var command = _dataSource.CreateCommand(_sql.SelectParent);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
                    return await command.ExecuteScalarAsync(token).ConfigureAwait(false) as string;
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public async ValueTask RecordAsync(InvocationCompleted result, CancellationToken cancellationToken)
    {
        await GuardAsync(
            async token =>
            {
                await RecordCoreAsync(result, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public async ValueTask<CallLookup> GetAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        return await GuardAsync(token => GetCoreAsync(callId, timeout, token), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public async ValueTask<string> ClaimAsync(string idempotencyKey, string callId, CancellationToken cancellationToken)
    {
        return await GuardAsync(token => ClaimCoreAsync(idempotencyKey, callId, token), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public async ValueTask RecordDuplicateAsync(string callId, string ownerCallId, CancellationToken cancellationToken)
    {
        await GuardAsync(
            async token =>
            {
                await RecordDuplicateCoreAsync(callId, ownerCallId, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public async ValueTask<bool> CancelAsync(string callId, CancellationToken cancellationToken)
    {
        return await GuardAsync(token => CancelCoreAsync(callId, token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes expired results, orphaned duplicates and expired idempotency claims (see the store's purge rules); the
    /// store also purges by itself at most once per <see cref="PostgresResultStoreOptions.PurgeInterval"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>The number of calls deleted (results and duplicates); expired keys are not counted.</returns>
    /// <exception cref="ResultStoreUnavailableException">PostgreSQL is down, restarting, full or unreachable.</exception>
    public async ValueTask<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        return await GuardAsync(token => PurgeExpiredCoreAsync(token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Test seam: called each time a waiter has looked, found the call pending, and starts waiting, with the id whose changes
    /// it waits for: the call's own, or its owner's for a duplicate.
    /// </summary>
    internal Action<string>? Parked { get; set; }

    /// <summary>
    /// The store's connections: in a worker host, Hangfire's retry storage opens its connections here too, so every
    /// PostgreSQL connection of the process counts against one pool (see <see cref="PostgresResultStoreOptions.DefaultMaxPoolSize"/>).
    /// </summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>The batches of writes executed so far (see <see cref="WriteBatcher"/>).</summary>
    internal long WriteBatches => _writes.Batches;

    /// <summary>The reads of lookups executed so far (see <see cref="LookupBatcher"/>).</summary>
    internal long LookupReads => _lookups.Reads;

    private async ValueTask RegisterCoreAsync(string callId, string? parentCallId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var row = new PendingRow(callId, _time.GetUtcNow().ToUniversalTime(), parentCallId);
        var insert = new NpgsqlBatchCommand(_sql.InsertPending);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = row.CreatedAt });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)parentCallId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await _writes.WriteAsync(row, [insert], cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RecordCoreAsync(InvocationCompleted result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        TryStartPurge();

        // Expiry counts from when this store recorded the result, by its clock, as InMemoryResultStore does, so a worker
        // with a skewed clock cannot make a result expire early or late.
        var now = _time.GetUtcNow().ToUniversalTime();
        var row = new OutcomeRow(
            result.CallId,
            result.Status.ToString(),
            result.Value is { } value ? value.GetRawText() : null,
            result.Error is { } error ? WriteError(error) : null,
            result.Attempts,
            result.StartedAt.ToUniversalTime(),
            result.FinishedAt.ToUniversalTime(),
            now,
            AddClamped(now, _retention));

        // Merged with the other rows of its batch; these statements write it when it is tried alone (WriteBatcher).
        var upsert = new NpgsqlBatchCommand(_sql.Upsert);
        upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.CallId });
        upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.Status });
        upsert.Parameters.Add(JsonParameter(row.Value));
        upsert.Parameters.Add(JsonParameter(row.Error));
        upsert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = row.Attempts });
        upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = row.StartedAt });
        upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = row.FinishedAt });
        upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = row.RecordedAt });
        upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = row.ExpiresAt });

        // In the same transaction: the notification is sent on commit, when waiters can already see the row.
        var notify = new NpgsqlBatchCommand(ResultsSql.Notify);
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.CallId });
        await _writes.WriteAsync(row, [upsert, notify], cancellationToken).ConfigureAwait(false);
    }

    /// <remarks>
    /// An id with no row, or whose result expired, is <see cref="CallState.Unknown"/> at once, without waiting. The timeout
    /// is measured with the store's <see cref="TimeProvider"/>.
    /// </remarks>
    private async ValueTask<CallLookup> GetCoreAsync(string callId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        TryStartPurge();
        var look = await LookAsync(callId, cancellationToken).ConfigureAwait(false);
        return look.Lookup.State != CallState.Pending || timeout == TimeSpan.Zero
            ? look.Lookup
            : await WaitAsync(callId, look.Answering, timeout, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<string> ClaimCoreAsync(string idempotencyKey, string callId, CancellationToken cancellationToken)
    {
        IdempotencyKey.Validate(idempotencyKey, nameof(idempotencyKey));
        ArgumentNullException.ThrowIfNull(callId);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        TryStartPurge();

        // Expiry by this store's clock, as for results.
        var now = _time.GetUtcNow().ToUniversalTime();
        var command = _dataSource.CreateCommand(_sql.Claim);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = idempotencyKey });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = AddClamped(now, _retention) });
            var owner = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return (string)owner!;
        }
    }

    private async ValueTask RecordDuplicateCoreAsync(string callId, string ownerCallId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentNullException.ThrowIfNull(ownerCallId);
        if (string.Equals(callId, ownerCallId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Call {callId} cannot duplicate itself; record a duplicate only when the key's owner is another call.", nameof(ownerCallId));
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var batch = _dataSource.CreateBatch();
        await using (batch.ConfigureAwait(false))
        {
            var insert = new NpgsqlBatchCommand(_sql.Duplicate);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ownerCallId });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = _time.GetUtcNow().ToUniversalTime() });
            batch.BatchCommands.Add(insert);

            // Waiters on the duplicate's id were listening on it: woken, they look again and then listen on the owner's.
            var notify = new NpgsqlBatchCommand(ResultsSql.Notify);
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
            batch.BatchCommands.Add(notify);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> CancelCoreAsync(string callId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        TryStartPurge();
        var now = _time.GetUtcNow().ToUniversalTime();
        var batch = _dataSource.CreateBatch();
        await using (batch.ConfigureAwait(false))
        {
            // Changes only a pending row, so a cancel racing a worker's record leaves one of the two, and no record replaces it.
            var cancel = new NpgsqlBatchCommand(_sql.Cancel);
            cancel.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
            cancel.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CallCancellation.ErrorType });
            cancel.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            cancel.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = AddClamped(now, _retention) });
            batch.BatchCommands.Add(cancel);

            // In the same implicit transaction, so sent on commit; when nothing changed, waiters only look once more.
            var notify = new NpgsqlBatchCommand(_sql.NotifyAnswering);
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = callId });
            batch.BatchCommands.Add(notify);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return cancel.RecordsAffected > 0;
        }
    }

    /// <summary>
    /// Deletes the results that expired, the duplicates whose owner is gone (once they are older than the retention period),
    /// and the idempotency keys whose claim expired. Lookups already treat them as unknown, and the store purges by itself at
    /// most once per <see cref="PostgresResultStoreOptions.PurgeInterval"/> while it is used; call this to purge at a time of
    /// your choosing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>The number of calls deleted (results and duplicates); expired keys are not counted.</returns>
    private async ValueTask<int> PurgeExpiredCoreAsync(CancellationToken cancellationToken)
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

        await _writes.DisposeAsync().ConfigureAwait(false);
        await _lookups.DisposeAsync().ConfigureAwait(false);
        await _notifications.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
        _tables.Dispose();
    }

    // An outage of the store, not a failure of this call, is reported as ResultStoreUnavailableException. A restart breaks
    // every pooled connection, and each would fail once when next used: the pool is cleared and the call tried once more
    // (every operation here may run twice: writes are upserts, claims return the same owner). A cancelled call stays an
    // OperationCanceledException.
    private async ValueTask<T> GuardAsync<T>(Func<CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsOutage(e, cancellationToken))
        {
            _dataSource.Clear();
        }

        try
        {
            return await operation(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsOutage(e, cancellationToken))
        {
            throw ResultStoreUnavailableException.For(_target, e);
        }
    }

    private static bool IsOutage(Exception e, CancellationToken cancellationToken) =>
        e is not ResultStoreUnavailableException && !cancellationToken.IsCancellationRequested && StoreFaults.IsTransient(e);

    private static NpgsqlParameter JsonParameter(string? json) =>
        new() { NpgsqlDbType = NpgsqlDbType.Json, Value = (object?)json ?? DBNull.Value };

    private static DateTimeOffset AddClamped(DateTimeOffset time, TimeSpan span) =>
        span >= DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;

    private static DateTimeOffset SubtractClamped(DateTimeOffset time, TimeSpan span) =>
        span >= time - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : time - span;

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

    // Joined with the lookups made at the same moment into one read (LookupBatcher).
    private async Task<Look> LookAsync(string callId, CancellationToken cancellationToken)
    {
        if (await _lookups.LookAsync(callId, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            // Never spawned, or a duplicate whose owner is gone.
            return new Look(new CallLookup(CallState.Unknown, null), callId);
        }

        var answering = row.Answering;
        if (row.ExpiresAt is { } expires && expires < _time.GetUtcNow())
        {
            // Expired but not purged yet: as good as gone.
            return new Look(new CallLookup(CallState.Unknown, null), answering);
        }

        if (row.Status == ResultsSql.PendingStatus)
        {
            return new Look(new CallLookup(CallState.Pending, null), answering);
        }

        if (!Enum.TryParse<InvocationStatus>(row.Status, ignoreCase: false, out var parsed) || !Enum.IsDefined(parsed))
        {
            throw new InvalidOperationException(
                $"Call {answering} has status '{row.Status}' in {_schema}.calls, which this version of Pipeline does not know.");
        }

        var result = new InvocationCompleted
        {
            CallId = answering,
            Status = parsed,
            Value = row.Value is null ? null : ReadValue(row.Value),
            Error = row.Error is null ? null : ReadError(row.Error),
            Attempts = row.Attempts,
            StartedAt = row.StartedAt ?? default,
            FinishedAt = row.FinishedAt ?? default,
        };
        return new Look(new CallLookup(CallState.Completed, result), answering);
    }

    private async Task<CallLookup> WaitAsync(string callId, string answering, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        TimeSpan Remaining() => timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout - _time.GetElapsedTime(started);
        TimeSpan Nap(TimeSpan remaining) =>
            remaining == Timeout.InfiniteTimeSpan || remaining > _pollInterval ? _pollInterval
            : remaining > TimeSpan.Zero ? remaining
            : TimeSpan.Zero;

        // Records notify the id of the row they write: for a duplicate, that is its owner's.
        var waiter = _notifications.Subscribe(answering);
        try
        {
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
                var look = await LookAsync(callId, cancellationToken).ConfigureAwait(false);
                var remaining = Remaining();
                if (look.Lookup.State != CallState.Pending || (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero))
                {
                    return look.Lookup;
                }

                if (!string.Equals(look.Answering, waiter.CallId, StringComparison.Ordinal))
                {
                    // The call became a duplicate while waited on: listen on its owner, then look again at once, since a
                    // record made between the look and the subscription was heard by nobody.
                    waiter.Dispose();
                    waiter = _notifications.Subscribe(look.Answering);
                    continue;
                }

                Parked?.Invoke(waiter.CallId);
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
        finally
        {
            waiter.Dispose();
        }
    }

    private ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _tables.EnsureAsync(cancellationToken);
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
        now = now.ToUniversalTime();
        var batch = _dataSource.CreateBatch();
        await using (batch.ConfigureAwait(false))
        {
            var calls = new NpgsqlBatchCommand(_sql.PurgeCalls);
            calls.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            batch.BatchCommands.Add(calls);

            // After the first delete, in the same transaction: a duplicate whose owner just went goes too. The age guard
            // keeps one whose owner has claimed its key but not registered yet.
            var duplicates = new NpgsqlBatchCommand(_sql.PurgeDuplicates);
            duplicates.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = SubtractClamped(now, _retention) });
            batch.BatchCommands.Add(duplicates);

            var claims = new NpgsqlBatchCommand(_sql.PurgeClaims);
            claims.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            batch.BatchCommands.Add(claims);

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            var count = calls.RecordsAffected + duplicates.RecordsAffected;
            if (count > 0)
            {
                Log.Purged(_logger, count, _schema);
            }

            if (claims.RecordsAffected > 0)
            {
                Log.PurgedClaims(_logger, claims.RecordsAffected, _schema);
            }

            return count;
        }
    }

    /// <summary>A lookup, and the id of the row that answered it: the owner's for a duplicate, else the call's own.</summary>
    private readonly record struct Look(CallLookup Lookup, string Answering);
}
