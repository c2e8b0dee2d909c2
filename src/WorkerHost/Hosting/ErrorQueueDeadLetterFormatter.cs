using MassTransit;
using Pipeline.RabbitMq;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// Names the queue MassTransit moves a message to when no consumer of the endpoint takes its type (a valid envelope
/// that is not a <c>RunInvocation</c>): the endpoint's <c>_error</c> queue, with header <c>MT-Reason: dead-letter</c>,
/// instead of a <c>_skipped</c> queue nobody watches. So every input a pool cannot use ends up in one place.
/// </summary>
internal sealed class ErrorQueueDeadLetterFormatter : IDeadLetterQueueNameFormatter
{
    public string FormatDeadLetterQueueName(string queueName) => PoolQueueArguments.ErrorQueue(queueName);
}
