using MassTransit;
using Microsoft.Extensions.Logging;

namespace Pipeline.Consumers.Replies;

/// <summary>
/// Sends replies to callers so that no caller can stop a pool. A reply goes through the bus's own send endpoint, not the
/// input's consume context: on RabbitMQ the consume context sends on the pool's channel, and a reply the broker refuses
/// (an exchange of other flags, 406; an exchange gone, 404) would close that channel, redeliver every unacknowledged
/// input of the pool and run them again. The address is checked first (<see cref="IReplyAddressCheck"/>), a failed send
/// is tried once more (a sibling's refusal may have closed the shared channel under it), and every wait is bounded.
/// A reply that cannot be sent is reported, never thrown: the caller dead-letters the input with the reason.
/// </summary>
internal sealed class ReplySender(IBus bus, IReplyAddressCheck check, ILogger<ReplySender> logger)
{
    /// <summary>The reason prefix of a dead letter whose reply could not be sent.</summary>
    public const string Undeliverable = "reply-undeliverable";

    /// <summary>The longest one reply may take, checks and the second try included.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Answers the input of <paramref name="context"/>, if it has a reply address.</summary>
    /// <returns>Null when sent or nobody asked; else why the reply could not be sent.</returns>
    public Task<string?> SendAsync<T>(ConsumeContext context, T reply)
        where T : class =>
        context.ResponseAddress is { } address
            ? SendAsync(address, context.RequestId, context, reply, context.CancellationToken)
            : Task.FromResult<string?>(null);

    /// <summary>Sends <paramref name="reply"/> to <paramref name="address"/> as the answer to request <paramref name="requestId"/>.</summary>
    /// <returns>Null when sent; else why the reply could not be sent.</returns>
    public async Task<string?> SendAsync<T>(Uri address, Guid? requestId, ConsumeContext? context, T reply, CancellationToken cancellationToken)
        where T : class
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        string? problem;
        try
        {
            problem = await check.ProblemAsync(address, limit.Token).ConfigureAwait(false);
            if (problem is null)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var endpoint = await bus.GetSendEndpoint(address).ConfigureAwait(false);
                        await endpoint.Send(reply, send => Address(send, requestId, context), limit.Token).ConfigureAwait(false);
                        return null;
                    }
                    catch (Exception e) when (attempt == 1 && e is not OperationCanceledException)
                    {
                        Log.ReplyRetried(logger, address.ToString(), e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            problem = $"sending it took longer than {Limit.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            problem = e.Message;
        }

        Log.ReplyUndeliverable(logger, address.ToString(), problem);
        return $"{Undeliverable}: the reply to '{address}' could not be sent: {problem.TrimEnd('.')}. Declare the reply exchange as docs/wire-format.md (section 4) says, or leave out responseAddress.";
    }

    private static void Address(SendContext send, Guid? requestId, ConsumeContext? context)
    {
        if (context is not null)
        {
            send.TransferConsumeContextHeaders(context);
        }

        send.RequestId = requestId;
    }
}
