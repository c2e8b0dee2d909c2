using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Invocations;
using Pipeline.Messages.Invocations;
using Pipeline.WorkerHost.Store;

namespace Pipeline.WorkerHost.Retries;

/// <summary>
/// Retry delays of a worker host without PostgreSQL: the next attempt waits on a timer in this process, outside the
/// consumer, and the failed attempt is acknowledged at once, so a pool that runs one input at a time (a class) takes its
/// other inputs during the delay. When due, the retry is sent like a stored one (<see cref="RetryDeliveryJob"/>: the pool
/// is declared again and announced), trying again while the broker is away. A host that stops gracefully sends its
/// waiting retries at once, early; a host that dies (SIGKILL, a crash) loses the retries waiting in it. Durable retries
/// need PostgreSQL (docs/worker-hosts.md).
/// </summary>
internal sealed class MemoryRetryScheduler(IServiceProvider services, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<MemoryRetryScheduler> logger)
    : IRetryScheduler, IDisposable
{
    private readonly ConcurrentDictionary<WaitingRetry, byte> _waiting = new();
    private int _flushRegistered;
    private CancellationTokenRegistration _flush;

    public bool IsDurable => false;

    /// <summary>Retries waiting for their delay in this process (tests read it).</summary>
    internal int Waiting => _waiting.Count;

    public async Task ScheduleAsync(ConsumeContext context, RunInvocation next, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            await HoldingRetryScheduler.SendAgainAsync(context, next).ConfigureAwait(false);
            return;
        }

        if (Interlocked.Exchange(ref _flushRegistered, 1) == 0)
        {
            _flush = lifetime.ApplicationStopping.Register(static state => ((MemoryRetryScheduler)state!).Flush(), this);
        }

        var retry = new WaitingRetry(
            RetryDeliveryJob.QueueOf(context.ReceiveContext.InputAddress),
            next.CallId ?? "",
            JsonSerializer.Serialize(next, RetryDeliveryJob.Json),
            context.RequestId?.ToString(),
            context.ResponseAddress?.ToString(),
            context.ConversationId?.ToString(),
            Activity.Current?.Id);
        _waiting.TryAdd(retry, 0);
        retry.Due = () => _ = SendAsync(retry);
        retry.Timer = time.CreateTimer(static state => ((WaitingRetry)state!).Due?.Invoke(), retry, delay, Timeout.InfiniteTimeSpan);
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            retry.Due();
        }
    }

    public void Dispose()
    {
        _flush.Dispose();
        foreach (var retry in _waiting.Keys)
        {
            retry.Timer?.Dispose();
        }
    }

    // The host is stopping: a retry kept here would be lost with the process, so it is sent now, before its delay.
    private void Flush()
    {
        var waiting = _waiting.Keys.ToList();
        if (waiting.Count > 0)
        {
            StoreLog.RetriesFlushed(logger, waiting.Count);
        }

        foreach (var retry in waiting)
        {
            _ = SendAsync(retry);
        }
    }

    private async Task SendAsync(WaitingRetry retry)
    {
        if (!retry.TryTake())
        {
            return;
        }

        try
        {
            var stopped = lifetime.ApplicationStopped;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var job = ActivatorUtilities.CreateInstance<RetryDeliveryJob>(services);
                    await job.DeliverAsync(retry.Queue, retry.Invocation, retry.RequestId, retry.ResponseAddress, retry.ConversationId, retry.TraceParent, stopped).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (!stopped.IsCancellationRequested)
                {
                    var delay = StoreBackoff.Delay(attempt, Random.Shared.NextDouble());
                    StoreLog.RetrySendFailed(logger, e, retry.CallId, retry.Queue, delay.TotalMilliseconds);
                    await Task.Delay(delay, time, stopped).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The host is gone: nothing left to send with.
        }
        finally
        {
            _waiting.TryRemove(retry, out _);
            retry.Timer?.Dispose();
        }
    }

    private sealed class WaitingRetry(string queue, string callId, string invocation, string? requestId, string? responseAddress, string? conversationId, string? traceParent)
    {
        private int _taken;

        public string Queue { get; } = queue;

        public string CallId { get; } = callId;

        public string Invocation { get; } = invocation;

        public string? RequestId { get; } = requestId;

        public string? ResponseAddress { get; } = responseAddress;

        public string? ConversationId { get; } = conversationId;

        public string? TraceParent { get; } = traceParent;

        public ITimer? Timer { get; set; }

        public Action? Due { get; set; }

        public bool TryTake() => Interlocked.Exchange(ref _taken, 1) == 0;
    }
}
