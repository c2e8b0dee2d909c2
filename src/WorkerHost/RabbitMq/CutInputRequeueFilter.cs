using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.RabbitMq;

/// <summary>
/// Gives the inputs a pool's drain cut back to the queue for certain. When a pool stops on a live connection (a lost
/// lease, a scale-down or eviction past its grace, shutdown) and its inputs are still running at the end of the drain,
/// MassTransit cancels them and, its stop cancelled, settles none of them: without this filter they stay unacknowledged
/// on the endpoint's open channel, delivered to nobody, until the host's connection closes. A consume cancelled by the
/// transport closes the endpoint's channel instead, so the broker requeues every input still unacknowledged on it (all
/// of them cut at once, since the pool is stopping). An input that finished at that moment and had not been acknowledged
/// is delivered again and found finished (at least once, as documented).
/// </summary>
internal sealed class CutInputRequeueFilter(string queue, ILogger logger) : IFilter<ConsumeContext>
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public void Probe(ProbeContext context) => context.CreateFilterScope("pipelineCutInputRequeue");

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            await CloseChannelAsync(context).ConfigureAwait(false);
            throw;
        }
    }

    private async Task CloseChannelAsync(ConsumeContext context)
    {
        if (!context.TryGetPayload(out ChannelContext? channel) || !channel.Channel.IsOpen)
        {
            return;
        }

        Log.ChannelClosedForCutInputs(logger, queue);
        try
        {
            await channel.Channel.CloseAsync(RabbitMQ.Client.Constants.ReplySuccess, "pipeline: pool stopped, cut inputs go back to the queue", abort: false)
                .WaitAsync(CloseTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Closed meanwhile by another cut input or by the broker: either way the broker requeues what it held.
        }
    }
}
