using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.RabbitMq;

/// <summary>
/// The channel a pool's endpoint consumes on, seen from its inputs, and closed once the endpoint's stop has ended.
/// A stop cut at the end of the drain makes MassTransit cancel the inputs still running and settle none of them (its own
/// stop was cancelled), and an input given back unrun is returned unacknowledged too: with the connection still up (a
/// lost lease, a scale-down, an eviction) they would stay unacknowledged on the open channel, delivered to nobody, until
/// the host's connection closed. Closing the channel after the stop makes the broker requeue every one of them. The
/// pool takes no input by then, and an input acknowledged before the close is not affected.
/// </summary>
internal sealed class PoolChannel(string queue, ILogger logger) : IFilter<ConsumeContext>
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private ChannelContext? _channel;

    public void Probe(ProbeContext context) => context.CreateFilterScope("pipelinePoolChannel");

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (context.TryGetPayload(out ChannelContext? channel))
        {
            Volatile.Write(ref _channel, channel);
        }

        return next.Send(context);
    }

    /// <summary>Closes the channel the pool's inputs came on, if it is still open; never throws.</summary>
    public async Task CloseAsync()
    {
        if (Volatile.Read(ref _channel) is not { Channel.IsOpen: true } channel)
        {
            return;
        }

        Log.PoolChannelClosed(logger, queue);
        try
        {
            await channel.Channel.CloseAsync(RabbitMQ.Client.Constants.ReplySuccess, "pipeline: pool stopped; unsettled inputs go back to the queue", abort: false)
                .WaitAsync(CloseTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Closed meanwhile by MassTransit or the broker: either way the broker requeues what it held.
        }
    }
}
