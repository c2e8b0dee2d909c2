using System.Threading.Channels;
using Npgsql;

namespace Pipeline.Results;

/// <summary>
/// Joins the store's small writes (a spawned call's pending row, an outcome and its notification) that arrive while
/// another batch is in flight into one batch: one round trip and one commit for all of them, instead of one each.
/// With hundreds of spawns in flight this is what keeps PostgreSQL from spending its time on commits; a lone write goes
/// at once. A batch is one transaction: if it fails, each of its writes is tried again alone, so only a write that
/// fails by itself reports an error. A write is done when its batch has committed.
/// </summary>
internal sealed class WriteBatcher : IAsyncDisposable
{
    /// <summary>The most statements one batch carries.</summary>
    public const int MaxStatements = 512;

    private readonly NpgsqlDataSource _dataSource;
    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private long _batches;

    public WriteBatcher(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Batches executed so far (tests read it to see writes joined).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Queues the statements as one write; completes when they have committed.</summary>
    /// <param name="statements">Run in this order, in the same transaction as each other.</param>
    /// <param name="cancellationToken">Stops waiting; the write may still be made.</param>
    public Task WriteAsync(NpgsqlBatchCommand[] statements, CancellationToken cancellationToken)
    {
        var write = new Write(statements, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(write), this);
        return write.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
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
                await ExecuteAsync(taken).ConfigureAwait(false);
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
            await ExecuteAsync([write with { Statements = write.Statements.Select(Copy).ToArray() }]).ConfigureAwait(false);
            write.Done.TrySetResult();
        }
        catch (Exception e)
        {
            write.Done.TrySetException(e);
        }
    }

    private async Task ExecuteAsync(IEnumerable<Write> writes)
    {
        var batch = _dataSource.CreateBatch();
        await using (batch.ConfigureAwait(false))
        {
            foreach (var write in writes)
            {
                foreach (var statement in write.Statements)
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

    private sealed record Write(NpgsqlBatchCommand[] Statements, TaskCompletionSource Done);
}
