using MassTransit;
using Pipeline.Consumers.Invocations;
using Pipeline.Messages.Invocations;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// Hears a cancel on the host's notice queue: a running attempt of the call is cancelled (and its container replaced
/// when the cancel says <c>terminateContainers</c>), a later input dropped.
/// </summary>
internal sealed class CancelInvocationConsumer(CallCancellations cancellations) : IConsumer<CancelInvocation>
{
    public Task Consume(ConsumeContext<CancelInvocation> context)
    {
        if (context.Message.CallId is { Length: > 0 } callId)
        {
            cancellations.Cancel(callId, context.Message.TerminateContainers);
        }

        return Task.CompletedTask;
    }
}
