using Pipeline.Messages.Invocations;

namespace Pipeline.Client.Transport;

/// <summary>How the client reaches pools. Keeps the broker library out of the client's public API.</summary>
internal interface IInvocationTransport
{
    /// <summary>Sends an input and waits for its outcome (a remote call).</summary>
    Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken);

    /// <summary>Sends several inputs in one message and waits for their outcomes (a map's chunk).</summary>
    Task<InvocationChunkCompleted> RequestChunkAsync(string queue, RunInvocationChunk chunk, CancellationToken cancellationToken);

    /// <summary>Sends an input durably and returns once the broker has it.</summary>
    Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken);

    /// <summary>Tells worker hosts that a pool has input.</summary>
    Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken);

    /// <summary>Tells every worker host to cancel a call.</summary>
    Task CancelAsync(CancelInvocation cancel, CancellationToken cancellationToken);
}
