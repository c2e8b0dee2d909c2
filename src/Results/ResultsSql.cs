using Pipeline.Messages.Invocations;

namespace Pipeline.Results;

/// <summary>
/// The statements of a <see cref="PostgresResultStore"/> for one schema (the tables are <see cref="ResultsSchema"/>'s).
/// Identifiers cannot be parameters: the schema is put into the text, which is safe because the options only let letters,
/// digits and underscores through, and it is quoted so that its case is kept.
/// </summary>
internal sealed class ResultsSql
{
    /// <summary>The status of a call spawned and not finished (finished ones store their <see cref="InvocationStatus"/> name).</summary>
    public const string PendingStatus = "pending";

    /// <summary>Notifies waiters on call <c>$1</c>; sent on commit, so they can see the row by then.</summary>
    public static string Notify { get; } =
        $"select pg_notify('{CallNotifications.Channel}', $1) where octet_length($1) < {MaxNotifyPayloadBytes}";

    /// <summary>Notifies waiters on each call of the array <c>$1</c>, one notification per id, in one statement.</summary>
    public static string NotifyMany { get; } =
        $"select pg_notify('{CallNotifications.Channel}', u.id) from unnest($1::text[]) as u(id) where octet_length(u.id) < {MaxNotifyPayloadBytes}";

    private const string CancelledStatus = nameof(InvocationStatus.Cancelled);

    // PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; longer ids are not notified and their waiters poll.
    private const int MaxNotifyPayloadBytes = 8000;

    /// <summary>Creates the statements for <paramref name="schema"/>, which must be a validated schema name.</summary>
    /// <param name="schema">The schema.</param>
    public ResultsSql(string schema)
    {
        var calls = $"\"{schema}\".calls";
        var claims = $"\"{schema}\".idempotency";
        InsertPending =
            $"insert into {calls} (call_id, status, attempts, created_at, parent_call_id) values ($1, '{PendingStatus}', 0, $2, $3) " +
            "on conflict (call_id) do nothing";
        SelectParent = $"select parent_call_id from {calls} where call_id = $1";

        // A later record replaces an earlier one, except a cancellation; the condition is checked on the row's latest version.
        Upsert =
            $"insert into {calls} as c (call_id, status, value, error, attempts, started_at, finished_at, created_at, expires_at) " +
            "values ($1, $2, $3, $4, $5, $6, $7, $8, $9) " +
            "on conflict (call_id) do update set status = excluded.status, value = excluded.value, error = excluded.error, " +
            "attempts = excluded.attempts, started_at = excluded.started_at, finished_at = excluded.finished_at, " +
            $"expires_at = excluded.expires_at where c.status <> '{CancelledStatus}'";

        // The same two statements for many rows at once (WriteBatcher merges the writes that arrive together): parsed and
        // planned once per batch instead of once per row. Outcomes for one call are merged before (the last one wins).
        InsertPendingMany =
            $"insert into {calls} (call_id, status, attempts, created_at, parent_call_id) " +
            $"select u.call_id, '{PendingStatus}', 0, u.created_at, u.parent_call_id " +
            "from unnest($1::text[], $2::timestamptz[], $3::text[]) as u(call_id, created_at, parent_call_id) " +
            "on conflict (call_id) do nothing";
        UpsertMany =
            $"insert into {calls} as c (call_id, status, value, error, attempts, started_at, finished_at, created_at, expires_at) " +
            "select u.call_id, u.status, u.value::json, u.error::json, u.attempts, u.started_at, u.finished_at, u.created_at, u.expires_at " +
            "from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[]) " +
            "as u(call_id, status, value, error, attempts, started_at, finished_at, created_at, expires_at) " +
            "on conflict (call_id) do update set status = excluded.status, value = excluded.value, error = excluded.error, " +
            "attempts = excluded.attempts, started_at = excluded.started_at, finished_at = excluded.finished_at, " +
            $"expires_at = excluded.expires_at where c.status <> '{CancelledStatus}'";

        // A duplicate's row points at its owner, whose row answers (once: the owner's own pointer is not followed).
        Select =
            "select t.status, t.value, t.error, t.attempts, t.started_at, t.finished_at, t.expires_at, t.call_id " +
            $"from {calls} c join {calls} t on t.call_id = coalesce(c.duplicate_of, c.call_id) where c.call_id = $1";

        // Select for many ids at once (LookupBatcher): the same columns, then the id asked for.
        SelectMany =
            "select t.status, t.value, t.error, t.attempts, t.started_at, t.finished_at, t.expires_at, t.call_id, c.call_id " +
            $"from {calls} c join {calls} t on t.call_id = coalesce(c.duplicate_of, c.call_id) where c.call_id = any($1)";

        // One statement that always returns the owner. A conflicting claim is locked and read at its latest committed version
        // (a select in the same statement would read the statement's snapshot and could miss a claim committed meanwhile),
        // and is taken over only when it has expired. Every SET expression reads the old row.
        Claim =
            $"insert into {claims} as i (key, call_id, created_at, expires_at) values ($1, $2, $3, $4) " +
            "on conflict (key) do update set " +
            "call_id = case when i.expires_at < excluded.created_at then excluded.call_id else i.call_id end, " +
            "created_at = case when i.expires_at < excluded.created_at then excluded.created_at else i.created_at end, " +
            "expires_at = case when i.expires_at < excluded.created_at then excluded.expires_at else i.expires_at end " +
            "returning call_id";

        // A duplicate lives as long as its owner (see PurgeDuplicates), so it has no expiry of its own.
        Duplicate =
            $"insert into {calls} (call_id, status, attempts, created_at, duplicate_of) values ($1, '{PendingStatus}', 0, $3, $2) " +
            "on conflict (call_id) do update set duplicate_of = excluded.duplicate_of, expires_at = null";

        // Only a pending row changes, re-checked on the latest version of a row another process is writing, so a cancel racing
        // a worker's record leaves exactly one of the two. The message is CallCancellation.Message's, built here because a
        // duplicate's id cancels its owner, whose id it names.
        Cancel =
            $"update {calls} t set status = '{CancelledStatus}', value = null, " +
            "error = json_build_object('type', $2::text, 'message', 'Call ' || t.call_id || ' was cancelled.', 'stackTrace', null), " +
            $"finished_at = $3, expires_at = $4 from {calls} c " +
            $"where c.call_id = $1 and t.call_id = coalesce(c.duplicate_of, c.call_id) and t.status = '{PendingStatus}'";

        // Waiters listen on the id whose row answers them: the owner's, for a duplicate.
        NotifyAnswering =
            $"select pg_notify('{CallNotifications.Channel}', coalesce(duplicate_of, call_id)) from {calls} " +
            $"where call_id = $1 and octet_length(coalesce(duplicate_of, call_id)) < {MaxNotifyPayloadBytes}";

        PurgeCalls = $"delete from {calls} where expires_at < $1";

        // $1 is now minus the retention period: a duplicate whose owner has claimed its key but not registered yet is kept.
        PurgeDuplicates =
            $"delete from {calls} d where d.duplicate_of is not null and d.created_at < $1 " +
            $"and not exists (select 1 from {calls} o where o.call_id = d.duplicate_of)";

        PurgeClaims = $"delete from {claims} where expires_at < $1";
    }

    /// <summary>Registers call <c>$1</c> as pending at <c>$2</c>, made by call <c>$3</c> (or null), unless it is known.</summary>
    public string InsertPending { get; }

    /// <summary>Registers many calls as pending: arrays of call ids, registration times and parents (<see cref="InsertPending"/>).</summary>
    public string InsertPendingMany { get; }

    /// <summary>Records many outcomes: one array per column of <see cref="Upsert"/>, one call id at most once.</summary>
    public string UpsertMany { get; }

    /// <summary>Looks up every call of the array <c>$1</c> as <see cref="Select"/> does; the last column is the id asked for.</summary>
    public string SelectMany { get; }

    /// <summary>The parent of call <c>$1</c>.</summary>
    public string SelectParent { get; }

    /// <summary>Records an outcome: call id, status, value, error, attempts, started, finished, recorded, expires.</summary>
    public string Upsert { get; }

    /// <summary>Looks call <c>$1</c> up, following a duplicate to its owner; the last column is the id that answered.</summary>
    public string Select { get; }

    /// <summary>Claims key <c>$1</c> for call <c>$2</c> at <c>$3</c> until <c>$4</c>; returns the owner's id.</summary>
    public string Claim { get; }

    /// <summary>Makes call <c>$1</c> a duplicate of <c>$2</c>, at <c>$3</c>.</summary>
    public string Duplicate { get; }

    /// <summary>Cancels call <c>$1</c> (or its owner) if pending: error type <c>$2</c>, finished <c>$3</c>, expires <c>$4</c>.</summary>
    public string Cancel { get; }

    /// <summary>Notifies waiters on the id that answers for call <c>$1</c>.</summary>
    public string NotifyAnswering { get; }

    /// <summary>Deletes results expired before <c>$1</c>.</summary>
    public string PurgeCalls { get; }

    /// <summary>Deletes duplicates made before <c>$1</c> whose owner is gone.</summary>
    public string PurgeDuplicates { get; }

    /// <summary>Deletes claims expired before <c>$1</c>.</summary>
    public string PurgeClaims { get; }
}
