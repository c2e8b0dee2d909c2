using System.Threading.Channels;
using Npgsql;

namespace Pipeline.Results;

/// <summary>
/// Joins the store's small writes (a spawned call's pending row, an outcome and its notification) that arrive while
/// another batch is in flight into one batch: one round trip and one commit for all of them, instead of one each.
/// Rows of one kind are merged into one statement over arrays (<see cref="ResultsSql.InsertPendingMany"/>,
/// <see cref="ResultsSql.UpsertMany"/>, <see cref="ResultsSql.NotifyMany"/>), so PostgreSQL parses and plans three
/// statements per batch rather than one or two per row. With hundreds of spawns in flight this is what keeps
/// PostgreSQL from spending its time on commits and statements; a lone write goes at once. A batch is one transaction:
/// if it fails, each of its writes is tried again alone with its own statements, so only a write that fails by itself
/// reports an error. A write is done when its batch has committed.
/// </summary>
internal sealed class WriteBatcher : IAsyncDisposable
{
    /// <summary>The most statements (or rows) one batch carries.</summary>
    public const int MaxStatements = 512;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ResultsSql? _sql;
    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private long _batches;

    /// <summary>Creates the batcher.</summary>
    /// <param name="dataSource">Where the batches go.</param>
    /// <param name="sql">The statements rows are merged into; without them, rows are written with their own statements.</param>
    public WriteBatcher(NpgsqlDataSource dataSource, ResultsSql? sql = null)
    {
        _dataSource = dataSource;
        _sql = sql;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Batches executed so far (tests read it to see writes joined).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Queues the statements as one write; completes when they have committed.</summary>
    /// <param name="statements">Run in this order, in the same transaction as each other.</param>
    /// <param name="cancellationToken">Stops waiting; the write may still be made.</param>
    public Task WriteAsync(NpgsqlBatchCommand[] statements, CancellationToken cancellationToken) =>
        EnqueueAsync(new Write(statements, null, null, NewDone()), cancellationToken);

    /// <summary>Queues a pending row; <paramref name="alone"/> writes it when its batch fails and it is tried by itself.</summary>
    public Task WriteAsync(PendingRow row, NpgsqlBatchCommand[] alone, CancellationToken cancellationToken) =>
        EnqueueAsync(new Write(alone, row, null, NewDone()), cancellationToken);

    /// <summary>Queues an outcome row and its notification; <paramref name="alone"/> writes both when tried by itself.</summary>
    public Task WriteAsync(OutcomeRow row, NpgsqlBatchCommand[] alone, CancellationToken cancellationToken) =>
        EnqueueAsync(new Write(alone, null, row, NewDone()), cancellationToken);

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private static TaskCompletionSource NewDone() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task EnqueueAsync(Write write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(write), this);
        return write.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var taken = new List<Write>();
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            taken.Clear();
            var statements = 0;
            while (statements < MaxStatements && _writes.Reader.TryRead(out var write))
            {
                taken.Add(write);
                statements += write.Statements.Length;
            }

            try
            {
                await ExecuteAsync(taken, merge: true).ConfigureAwait(false);
                taken.ForEach(static w => w.Done.TrySetResult());
            }
            catch (Exception) when (taken.Count > 1)
            {
                foreach (var write in taken)
                {
                    await ExecuteAloneAsync(write).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                taken[0].Done.TrySetException(e);
            }
        }
    }

    private async Task ExecuteAloneAsync(Write write)
    {
        try
        {
            await ExecuteAsync([write with { Statements = write.Statements.Select(Copy).ToArray() }], merge: false).ConfigureAwait(false);
            write.Done.TrySetResult();
        }
        catch (Exception e)
        {
            write.Done.TrySetException(e);
        }
    }

    private async Task ExecuteAsync(IReadOnlyList<Write> writes, bool merge)
    {
        var batch = _dataSource.CreateBatch();
        await using (batch.ConfigureAwait(false))
        {
            var pending = new List<PendingRow>();
            var outcomes = new List<OutcomeRow>();
            foreach (var write in writes)
            {
                if (merge && _sql is not null && write.Pending is { } row)
                {
                    pending.Add(row);
                }
                else if (merge && _sql is not null && write.Outcome is { } outcome)
                {
                    outcomes.Add(outcome);
                }
                else
                {
                    foreach (var statement in write.Statements)
                    {
                        batch.BatchCommands.Add(statement);
                    }
                }
            }

            // Pending rows first: an insert that does nothing on conflict and an upsert end the same in either order.
            if (pending.Count > 0)
            {
                batch.BatchCommands.Add(MergedRows.Pending(_sql!, pending));
            }

            if (outcomes.Count > 0)
            {
                foreach (var statement in MergedRows.Outcomes(_sql!, outcomes))
                {
                    batch.BatchCommands.Add(statement);
                }
            }

            Interlocked.Increment(ref _batches);
            await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    // A statement belongs to the batch it was added to: a retry needs fresh ones with the same text and parameters.
    private static NpgsqlBatchCommand Copy(NpgsqlBatchCommand statement)
    {
        var copy = new NpgsqlBatchCommand(statement.CommandText);
        foreach (NpgsqlParameter parameter in statement.Parameters)
        {
            copy.Parameters.Add(parameter.Clone());
        }

        return copy;
    }

    private sealed record Write(NpgsqlBatchCommand[] Statements, PendingRow? Pending, OutcomeRow? Outcome, TaskCompletionSource Done);
}
