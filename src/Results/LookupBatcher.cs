using System.Threading.Channels;
using Npgsql;

namespace Pipeline.Results;

/// <summary>
/// Joins the lookups that arrive while another is in flight into one <see cref="ResultsSql.SelectMany"/>: a worker
/// host looks every spawned input up before running it, and with hundreds in flight one read per input was the
/// store's largest cost. A lone lookup goes at once. A lookup is answered with the row as read (null when the call has
/// no row); the store turns it into a <see cref="CallLookup"/>, so a row one lookup cannot read fails only that one.
/// </summary>
internal sealed class LookupBatcher : IAsyncDisposable
{
    /// <summary>The most ids one read carries.</summary>
    public const int MaxIds = 512;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ResultsSql _sql;
    private readonly Channel<Lookup> _lookups = Channel.CreateUnbounded<Lookup>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private long _reads;

    public LookupBatcher(NpgsqlDataSource dataSource, ResultsSql sql)
    {
        _dataSource = dataSource;
        _sql = sql;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Reads executed so far (tests read it to see lookups joined).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The call's row (its owner's, for a duplicate), or null when it has none.</summary>
    /// <param name="callId">The call.</param>
    /// <param name="cancellationToken">Stops waiting; the read may still be made.</param>
    public Task<CallRow?> LookAsync(string callId, CancellationToken cancellationToken)
    {
        var lookup = new Lookup(callId, new TaskCompletionSource<CallRow?>(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_lookups.Writer.TryWrite(lookup), this);
        return lookup.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Answers what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _lookups.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var taken = new List<Lookup>();
        while (await _lookups.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            taken.Clear();
            while (taken.Count < MaxIds && _lookups.Reader.TryRead(out var lookup))
            {
                taken.Add(lookup);
            }

            try
            {
                var rows = await ReadAsync(taken).ConfigureAwait(false);
                foreach (var lookup in taken)
                {
                    lookup.Done.TrySetResult(rows.GetValueOrDefault(lookup.CallId));
                }
            }
            catch (Exception e)
            {
                // An outage fails every lookup of the read; the store's guard tries each again.
                taken.ForEach(l => l.Done.TrySetException(e));
            }
        }
    }

    private async Task<Dictionary<string, CallRow>> ReadAsync(List<Lookup> lookups)
    {
        Interlocked.Increment(ref _reads);
        var ids = lookups.Select(l => l.CallId).Distinct(StringComparer.Ordinal).ToArray();
        var rows = new Dictionary<string, CallRow>(ids.Length, StringComparer.Ordinal);
        var command = _dataSource.CreateCommand(_sql.SelectMany);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
            var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    rows[reader.GetString(8)] = new CallRow(
                        reader.GetString(0),
                        reader.IsDBNull(1) ? null : reader.GetString(1),
                        reader.IsDBNull(2) ? null : reader.GetString(2),
                        reader.GetInt32(3),
                        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                        reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                        reader.GetString(7));
                }
            }
        }

        return rows;
    }

    private sealed record Lookup(string CallId, TaskCompletionSource<CallRow?> Done);
}
