using Pipeline.Cli.Hosting;
using Pipeline.RabbitMq;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Cli.DeadLetters;

/// <summary>
/// A pool's <c>_error</c> queue, read without losing anything: messages are fetched unacknowledged (basic.get), and every
/// one not explicitly acknowledged goes back to the queue, in its place, when the channel is done with it. The channel
/// has publisher confirms on, so a replay acknowledges a dead letter only after the broker confirmed its copy.
/// </summary>
internal sealed class ErrorQueue : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly List<ulong> _held = [];

    private ErrorQueue(string pool, IConnection connection, IChannel channel, uint count)
    {
        Pool = pool;
        _connection = connection;
        _channel = channel;
        Count = count;
    }

    /// <summary>The pool queue (not its <c>_error</c> queue).</summary>
    public string Pool { get; }

    public string Name => PoolQueueArguments.ErrorQueue(Pool);

    /// <summary>The messages in the queue when it was opened: the most this reader fetches, so a letter that fails again after a replay is not replayed twice in one run.</summary>
    public uint Count { get; }

    public IChannel Channel => _channel;

    /// <summary>Opens the error queue of <paramref name="pool"/> (given as the pool or as its <c>_error</c> queue).</summary>
    /// <param name="options">The broker.</param>
    /// <param name="source">Where the broker's address came from, for the error that says what to fix.</param>
    /// <param name="deadline">How long the broker has to answer.</param>
    /// <param name="pool">The pool queue or its error queue.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="CliException">The broker is unreachable, or the pool has no error queue.</exception>
    public static async Task<ErrorQueue> OpenAsync(RabbitMqOptions options, string source, TimeSpan deadline, string pool, CancellationToken cancellationToken)
    {
        pool = pool.EndsWith(PoolQueueArguments.ErrorSuffix, StringComparison.Ordinal) ? pool[..^PoolQueueArguments.ErrorSuffix.Length] : pool;
        var connection = await Reachability.ConnectAsync(options, source, deadline, cancellationToken).ConfigureAwait(false);
        try
        {
            // A passive declare closes the channel when the queue is missing: ask on a channel of its own.
            var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            uint count;
            await using (probe.ConfigureAwait(false))
            {
                try
                {
                    count = (await probe.QueueDeclarePassiveAsync(PoolQueueArguments.ErrorQueue(pool), cancellationToken).ConfigureAwait(false)).MessageCount;
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
                {
                    throw new CliException(
                        $"pool '{pool}' has no error queue '{PoolQueueArguments.ErrorQueue(pool)}' in virtual host '{options.VirtualHost}'; pipeline pools lists the pools",
                        ExitCodes.Failed);
                }
            }

            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken).ConfigureAwait(false);
            return new ErrorQueue(pool, connection, channel, count);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fetches up to <paramref name="limit"/> dead letters (at most <see cref="Count"/>), holding them unacknowledged.</summary>
    public async Task<IReadOnlyList<DeadLetter>> FetchAsync(int limit, CancellationToken cancellationToken)
    {
        var letters = new List<DeadLetter>();
        while (letters.Count < Math.Min(limit, Count)
            && await _channel.BasicGetAsync(Name, autoAck: false, cancellationToken).ConfigureAwait(false) is { } message)
        {
            _held.Add(message.DeliveryTag);
            letters.Add(DeadLetter.Read(message));
        }

        return letters;
    }

    /// <summary>Removes a replayed letter for good.</summary>
    public async Task AcknowledgeAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        await _channel.BasicAckAsync(letter.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
        _held.Remove(letter.DeliveryTag);
    }

    /// <summary>Puts every letter still held back in the queue, then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_channel.IsOpen)
            {
                foreach (var tag in _held)
                {
                    await _channel.BasicNackAsync(tag, multiple: false, requeue: true).ConfigureAwait(false);
                }

                await _channel.CloseAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            // Whatever was not acknowledged returns to the queue when the channel or connection closes, even if the nack failed.
            await _channel.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
