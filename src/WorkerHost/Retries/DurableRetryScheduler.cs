using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using MassTransit;
using Pipeline.Consumers.Invocations;
using Pipeline.Messages.Invocations;
using Pipeline.WorkerHost.Store;

namespace Pipeline.WorkerHost.Retries;

/// <summary>
/// Retry delays kept in PostgreSQL (Hangfire): the next attempt is stored as a job due after the delay, and the failed
/// input is acknowledged. Any worker host's job server sends it when due, so a retry survives every process restarting.
/// A retry due at once is sent straight away. While PostgreSQL is unavailable, storing the retry waits for it.
/// </summary>
internal sealed class DurableRetryScheduler(IBackgroundJobClient jobs, TimeProvider time, StoreOutage outage) : IRetryScheduler
{
    public bool IsDurable => true;

    public async Task ScheduleAsync(ConsumeContext context, RunInvocation next, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            await HoldingRetryScheduler.SendAgainAsync(context, next).ConfigureAwait(false);
            return;
        }

        var queue = RetryDeliveryJob.QueueOf(context.ReceiveContext.InputAddress);
        var invocation = JsonSerializer.Serialize(next, RetryDeliveryJob.Json);
        var requestId = context.RequestId?.ToString();
        var responseAddress = context.ResponseAddress?.ToString();
        var conversationId = context.ConversationId?.ToString();

        // The W3C trace context of the failed attempt, so the next attempt joins the caller's trace.
        var traceParent = Activity.Current?.Id;
        var due = DueAt(time.GetUtcNow() + delay);

        // While PostgreSQL is down or full the failed attempt stays unacknowledged and this waits for the store: the retry
        // is stored once it is back, never lost and never dead-lettered for want of a database.
        await outage.RunAsync(
            "schedule retry",
            _ =>
            {
                jobs.Schedule<RetryDeliveryJob>(job => job.DeliverAsync(queue, invocation, requestId, responseAddress, conversationId, traceParent, CancellationToken.None), due);
                return ValueTask.CompletedTask;
            },
            context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hangfire keeps due times in whole seconds and enqueues a job once the current whole second reaches it, so a job is
    /// up to a second early unless its due time is rounded up to the next whole second: then it is never early.
    /// </summary>
    internal static DateTimeOffset DueAt(DateTimeOffset exact)
    {
        var whole = exact.AddTicks(-(exact.UtcTicks % TimeSpan.TicksPerSecond));
        return whole == exact ? exact : whole.AddSeconds(1);
    }

}
