using Microsoft.Extensions.Time.Testing;
using Pipeline.Client.Transport;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Client.Tests;

public sealed class SendDeadlineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task RunAsync_BrokerNeverAnswers_ThrowsBrokerUnavailableAtTheTimeoutNamingTheBroker()
    {
        var deadline = new SendDeadline(TimeSpan.FromSeconds(30), "amqp://guest:***@rabbit:5672/", _time);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var send = deadline.RunAsync(started, static async (s, token) =>
        {
            s.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
        }, CancellationToken.None);
        await started.Task.WaitAsync(Patience);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(send.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<BrokerUnavailableException>(() => send.WaitAsync(Patience));
        Assert.Contains("amqp://guest:***@rabbit:5672/", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:RabbitMq:SendTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), error.Timeout);
    }

    [Fact]
    public async Task RunAsync_CallerCancels_ThrowsOperationCanceledWithTheCallersToken()
    {
        var deadline = new SendDeadline(TimeSpan.FromSeconds(30), "amqp://rabbit/", _time);
        using var caller = new CancellationTokenSource();
        var send = deadline.RunAsync(0, static (_, token) => Task.Delay(Timeout.Infinite, token), caller.Token);

        await caller.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(Patience));
        Assert.IsNotType<BrokerUnavailableException>(error);
        Assert.Equal(caller.Token, error.CancellationToken);
    }

    [Fact]
    public async Task RunAsync_ConnectionRefusedThenAccepted_TriesAgainWithinTheTimeoutAndSucceeds()
    {
        var deadline = new SendDeadline(TimeSpan.FromSeconds(30), "amqp://rabbit/", _time);
        var attempts = 0;
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var send = deadline.RunAsync(0, (_, _) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                refused.TrySetResult();
                throw new BrokerUnreachableException(new InvalidOperationException("connection refused"));
            }

            return Task.FromResult(42);
        }, CancellationToken.None);
        await refused.Task.WaitAsync(Patience);

        // The pause before the next try is on the injected clock.
        await AdvanceUntilDoneAsync(send);

        Assert.Equal(42, await send);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task RunAsync_ConnectionRefusedUntilTheTimeout_ThrowsBrokerUnavailableWithTheRefusal()
    {
        var deadline = new SendDeadline(TimeSpan.FromSeconds(3), "amqp://rabbit/", _time);
        var send = deadline.RunAsync(0, static (_, _) => Task.FromException<int>(new BrokerUnreachableException(new InvalidOperationException("connection refused"))), CancellationToken.None);

        await AdvanceUntilDoneAsync(send);

        var error = await Assert.ThrowsAsync<BrokerUnavailableException>(() => send);
        Assert.IsType<BrokerUnreachableException>(error.InnerException);
    }

    // Moves the fake clock in small steps until the send ended, within a real-time deadline.
    private async Task AdvanceUntilDoneAsync(Task send)
    {
        var until = DateTime.UtcNow + Patience;
        while (!send.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < until, "the send did not end");
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }
    }
}
