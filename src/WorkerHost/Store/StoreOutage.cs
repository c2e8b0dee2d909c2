using Microsoft.Extensions.Logging;
using Pipeline.Results;

namespace Pipeline.WorkerHost.Store;

/// <summary>
/// The worker host's view of its results store (PostgreSQL): whether it answers, and the wait-and-retry every operation
/// on it goes through. A transient failure (<see cref="StoreFaults"/>: down, restarting, too many clients, pool exhausted)
/// marks the store unavailable (readiness goes unhealthy) and the operation tries again after <see cref="StoreBackoff"/>,
/// for as long as it takes: the input it belongs to stays unacknowledged and keeps its place in the pool's concurrency, so
/// the pool takes no more input meanwhile instead of failing it. Any success marks the store available again. Another
/// error (a bug, a bad statement) is thrown at once. Cancelled only by the host stopping: the input is delivered again.
/// </summary>
internal sealed class StoreOutage(TimeProvider time, ILogger<StoreOutage> logger)
{
    private readonly Lock _gate = new();
    private long? _downSince;

    /// <summary>Whether the last operation on the store failed for lack of it.</summary>
    public bool IsDown
    {
        get
        {
            lock (_gate)
            {
                return _downSince is not null;
            }
        }
    }

    /// <summary>How long the store has been unavailable; zero when it answers.</summary>
    public TimeSpan Downtime
    {
        get
        {
            lock (_gate)
            {
                return _downSince is { } since ? time.GetElapsedTime(since) : TimeSpan.Zero;
            }
        }
    }

    /// <summary>Test seam: the spread of each delay, in [0, 1).</summary>
    internal Func<double> Random { get; set; } = System.Random.Shared.NextDouble;

    /// <summary>Runs <paramref name="action"/> until it succeeds or fails with other than an outage.</summary>
    public async ValueTask<T> RunAsync<T>(string operation, Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await action(cancellationToken).ConfigureAwait(false);
                MarkUp();
                return result;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && StoreFaults.IsTransient(e))
            {
                var delay = StoreBackoff.Delay(attempt, Random());
                MarkDown(operation, e, delay);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Like the other overload, for an operation without a result.</summary>
    public async ValueTask RunAsync(string operation, Func<CancellationToken, ValueTask> action, CancellationToken cancellationToken) =>
        await RunAsync<bool>(
            operation,
            async token =>
            {
                await action(token).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

    private void MarkDown(string operation, Exception error, TimeSpan delay)
    {
        bool first;
        lock (_gate)
        {
            first = _downSince is null;
            _downSince ??= time.GetTimestamp();
        }

        var reason = Reason(error);
        if (first)
        {
            StoreLog.StoreUnavailable(logger, operation, reason, StoreBackoff.Max.TotalSeconds);
        }
        else
        {
            StoreLog.StoreStillUnavailable(logger, operation, reason, delay.TotalMilliseconds);
        }
    }

    private void MarkUp()
    {
        long? since;
        lock (_gate)
        {
            since = _downSince;
            _downSince = null;
        }

        if (since is { } start)
        {
            StoreLog.StoreBack(logger, time.GetElapsedTime(start).TotalSeconds);
        }
    }

    // The driver's own words (SQLSTATE and message), never the connection string: Npgsql does not put it in messages.
    private static string Reason(Exception error)
    {
        var inner = error;
        while (inner is ResultStoreUnavailableException { InnerException: { } cause })
        {
            inner = cause;
        }

        return inner is Npgsql.PostgresException postgres ? $"{postgres.SqlState}: {postgres.MessageText}" : inner.Message;
    }
}
