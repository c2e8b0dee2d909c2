using Npgsql;

namespace Pipeline.Results;

/// <summary>The statements that write many rows of a <see cref="WriteBatcher"/> batch at once, with arrays as parameters.</summary>
internal static class MergedRows
{
    /// <summary>One insert of every pending row; a call already known is left as it is.</summary>
    public static NpgsqlBatchCommand Pending(ResultsSql sql, IReadOnlyList<PendingRow> rows)
    {
        var insert = new NpgsqlBatchCommand(sql.InsertPendingMany);
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.CallId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = rows.Select(r => r.CreatedAt).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.ParentCallId).ToArray() });
        return insert;
    }

    /// <summary>
    /// One upsert of every outcome, then one notification per call. Outcomes of one call in the same batch end as written
    /// one after the other would: the last one stays (one upsert cannot change a row twice).
    /// </summary>
    public static NpgsqlBatchCommand[] Outcomes(ResultsSql sql, IReadOnlyList<OutcomeRow> rows)
    {
        var last = new Dictionary<string, OutcomeRow>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            last[row.CallId] = row;
        }

        var merged = last.Count == rows.Count ? rows : [.. last.Values];
        var upsert = new NpgsqlBatchCommand(sql.UpsertMany);
        upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = merged.Select(r => r.CallId).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = merged.Select(r => r.Status).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = merged.Select(r => r.Value).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = merged.Select(r => r.Error).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = merged.Select(r => r.Attempts).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = merged.Select(r => r.StartedAt).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = merged.Select(r => r.FinishedAt).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = merged.Select(r => r.RecordedAt).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = merged.Select(r => r.ExpiresAt).ToArray() });

        // In the same transaction: the notifications are sent on commit, when waiters can already see the rows.
        var notify = new NpgsqlBatchCommand(ResultsSql.NotifyMany);
        notify.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = merged.Select(r => r.CallId).ToArray() });
        return [upsert, notify];
    }
}
