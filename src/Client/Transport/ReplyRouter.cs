using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Messages.Invocations;

namespace Pipeline.Client.Transport;

/// <summary>
/// Matches replies to the calls waiting for them. A remote call or a map's chunk is sent with a new request id and the
/// client bus's own endpoint as its reply address; one handler per reply type on that endpoint completes the waiting
/// call by request id. MassTransit's request client does the same with a request handle, a response pipe connected and
/// disconnected, and a timeout timer per request; here a call costs one dictionary entry, which is what brings a remote
/// call's round trip near the raw client's (docs/benchmarks.md, scenario 2). Retries keep the request id and reply
/// address, so the caller gets the last attempt's outcome.
/// </summary>
internal sealed class ReplyRouter : IDisposable
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<object>> _waiting = new();
    private readonly IBus _bus;
    private readonly ConnectHandle[] _handlers;

    public ReplyRouter(IBus bus)
    {
        _bus = bus;
        _handlers =
        [
            bus.ConnectHandler<InvocationCompleted>(Complete),
            bus.ConnectHandler<InvocationChunkCompleted>(Complete),
            bus.ConnectHandler<Fault<RunInvocation>>(Fail),
            bus.ConnectHandler<Fault<RunInvocationChunk>>(Fail),
        ];
    }

    /// <summary>
    /// Sends <paramref name="request"/> (mandatory, confirmed) within the send deadline, then waits for its reply with no
    /// deadline but the token.
    /// </summary>
    public async Task<TReply> RequestAsync<TRequest, TReply>(ISendEndpoint endpoint, TRequest request, Action<SendContext> configure, SendDeadline deadline, CancellationToken cancellationToken)
        where TRequest : class
        where TReply : class
    {
        var id = NewId.NextGuid();
        var waiter = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = waiter;
        try
        {
            await deadline.RunAsync((endpoint, request, configure, id, address: _bus.Address), static (s, token) => s.endpoint.Send(s.request, send =>
            {
                send.RequestId = s.id;
                send.ResponseAddress = s.address;
                s.configure(send);
            }, token), cancellationToken).ConfigureAwait(false);
            object reply;
            await using (cancellationToken.Register(static state => ((TaskCompletionSource<object>)state!).TrySetCanceled(), waiter).ConfigureAwait(false))
            {
                reply = await waiter.Task.ConfigureAwait(false);
            }

            return reply as TReply ?? throw new InvalidOperationException(
                $"The reply to a {typeof(TRequest).Name} was a {reply.GetType().Name}, not a {typeof(TReply).Name}. Run worker hosts of the same Pipeline version as this client.");
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    public void Dispose()
    {
        foreach (var handler in _handlers)
        {
            handler.Disconnect();
        }

        foreach (var waiter in _waiting.Values)
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(PipelineConnection), "The connection closed before the reply came."));
        }
    }

    private Task Complete<T>(ConsumeContext<T> context)
        where T : class
    {
        if (context.RequestId is { } id && _waiting.TryRemove(id, out var waiter))
        {
            waiter.TrySetResult(context.Message);
        }

        return Task.CompletedTask;
    }

    // The worker's consumer threw (it catches what a function throws, so this is the host itself failing, such as its
    // results store): MassTransit sends a fault to the reply address. The caller gets it as the request client gave it.
    private Task Fail<T>(ConsumeContext<Fault<T>> context)
        where T : class
    {
        if (context.RequestId is { } id && _waiting.TryRemove(id, out var waiter))
        {
            waiter.TrySetException(new RequestFaultException(typeof(T).Name, context.Message));
        }

        return Task.CompletedTask;
    }
}
