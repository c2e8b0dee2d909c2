using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Results;

/// <summary>
/// The one LISTEN connection of a <see cref="PostgresResultStore"/>: started by the first waiter, kept until the store is
/// disposed, reconnecting with backoff when it breaks. It only speeds waiters up; they poll anyway, so a notification
/// lost (connection down, payload too long) costs at most one poll interval.
/// </summary>
internal sealed class CallNotifications(NpgsqlDataSource dataSource, TimeProvider time, TimeSpan pollInterval, ILogger logger) : IAsyncDisposable
{
    /// <summary>The channel <see cref="PostgresResultStore.RecordAsync"/> notifies with the call id as payload.</summary>
    public const string Channel = "pipeline_calls";

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    // A connection that died without a FIN would otherwise go unnoticed while idle; a probe this often finds it.
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<CallWaiter>> _waiters = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource<bool> _listening = NewListening();
    private Task? _loop;
    private bool _disposed;

    /// <summary>Registers a waiter for <paramref name="callId"/>, starting the listener if it is not running yet.</summary>
    /// <param name="callId">The call to be woken for.</param>
    /// <returns>The waiter; dispose it to unregister.</returns>
    public CallWaiter Subscribe(string callId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var waiter = new CallWaiter(this, callId, _listening.Task);
            if (!_waiters.TryGetValue(callId, out var list))
            {
                list = [];
                _waiters.Add(callId, list);
            }

            list.Add(waiter);
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
            return waiter;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    internal void Unsubscribe(CallWaiter waiter)
    {
        lock (_gate)
        {
            if (_waiters.TryGetValue(waiter.CallId, out var list) && list.Remove(waiter) && list.Count == 0)
            {
                _waiters.Remove(waiter.CallId);
            }
        }
    }

    private static TaskCompletionSource<bool> NewListening() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var retryDelay = FirstRetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                lock (_gate)
                {
                    // A connection that was listening broke: retry soon. Repeated failures to connect back off.
                    if (_listening.Task is { IsCompletedSuccessfully: true, Result: true })
                    {
                        retryDelay = FirstRetryDelay;
                    }

                    // Waiters holding the old task stop waiting for the listener and poll; new ones wait for the next attempt.
                    _listening.TrySetResult(false);
                    _listening = NewListening();
                }

                Log.ListenFailed(logger, e, pollInterval.TotalMilliseconds, retryDelay.TotalSeconds);
            }

            try
            {
                await Task.Delay(retryDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            connection.Notification += OnNotification;
            await using (var listen = new NpgsqlCommand($"listen {Channel}", connection))
            {
                await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            Log.Listening(logger, Channel);
            List<CallWaiter> all;
            lock (_gate)
            {
                _listening.TrySetResult(true);
                all = [.. _waiters.Values.SelectMany(list => list)];
            }

            // Records made while no connection was listening were not heard: everyone looks again.
            foreach (var waiter in all)
            {
                waiter.Signal();
            }

            while (true)
            {
                if (!await connection.WaitAsync(ProbeInterval, cancellationToken).ConfigureAwait(false))
                {
                    await using var probe = new NpgsqlCommand("select 1", connection);
                    await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        lock (_gate)
        {
            if (_waiters.TryGetValue(e.Payload, out var list))
            {
                foreach (var waiter in list)
                {
                    waiter.Signal();
                }
            }
        }
    }
}
