using RabbitMQ.Client.Exceptions;

namespace Pipeline.Client.Transport;

/// <summary>
/// Bounds what the client asks of the broker (connecting, declaring, publishing with a confirm) by the send timeout.
/// MassTransit waits for a lost connection to come back without limit, and RabbitMQ.Client refuses at once when
/// nothing listens: both become a <see cref="BrokerUnavailableException"/> once the timeout passes, a refusal being
/// tried again meanwhile (a broker restart of a few seconds goes unnoticed). The caller's token ends it first, with an
/// <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class SendDeadline(TimeSpan timeout, string broker, TimeProvider time)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    public TimeSpan Timeout => timeout;

    public async Task RunAsync<TState>(TState state, Func<TState, CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        await RunAsync((state, operation), static async (s, token) =>
        {
            await s.operation(s.state, token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    public async Task<T> RunAsync<TState, T>(TState state, Func<TState, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        using var expiry = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        Exception? last = null;
        var pause = FirstPause;
        try
        {
            while (true)
            {
                try
                {
                    return await operation(state, linked.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (IsRefusal(e) && !linked.IsCancellationRequested)
                {
                    last = e;
                }

                await Task.Delay(pause, time, linked.Token).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && (e is not OperationCanceledException c || c.CancellationToken != cancellationToken))
        {
            // The caller's token, not the linked one: MassTransit reports a start cancelled while the broker is
            // unreachable as the connection's own failure.
            throw new OperationCanceledException("The caller cancelled while waiting for the broker.", e, cancellationToken);
        }
        catch (OperationCanceledException e) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new BrokerUnavailableException(broker, timeout, last ?? e);
        }
        catch (Exception e) when (IsRefusal(e) && expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new BrokerUnavailableException(broker, timeout, e);
        }
    }

    // Nothing was sent: the connection could not be opened (refused, unreachable, wrong credentials or virtual host),
    // or a pool's declare (harmless to repeat) lost its connection.
    private static bool IsRefusal(Exception e) =>
        e is BrokerUnreachableException or Pipeline.RabbitMq.TopologyConnectionLostException
        || (e is MassTransit.ConnectionException && e.InnerException is BrokerUnreachableException);
}
