using Pipeline.Messages.Invocations;

namespace Pipeline.Client.Transport;

/// <summary>
/// A transport that connects on first use, so a client can be resolved (and injected) before its host has started. A
/// failed connect is not remembered: the next call tries again (each try is bounded by the send timeout).
/// </summary>
internal sealed class LazyTransport(Func<CancellationToken, Task<BusConnection>> connect) : IInvocationTransport, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BusConnection? _connection;
    private bool _disposed;

    public async Task<IInvocationTransport> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _connection) is { } connection)
        {
            return connection.Transport;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connection ??= await connect(cancellationToken).ConfigureAwait(false);
            return _connection.Transport;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the connection, if a call opened one; later calls fail.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (Interlocked.Exchange(ref _connection, null) is { } connection)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<InvocationCompleted> RequestAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) =>
        await (await ConnectAsync(cancellationToken).ConfigureAwait(false)).RequestAsync(queue, invocation, cancellationToken).ConfigureAwait(false);

    public async Task<InvocationChunkCompleted> RequestChunkAsync(string queue, RunInvocationChunk chunk, CancellationToken cancellationToken) =>
        await (await ConnectAsync(cancellationToken).ConfigureAwait(false)).RequestChunkAsync(queue, chunk, cancellationToken).ConfigureAwait(false);

    public async Task SendAsync(string queue, RunInvocation invocation, CancellationToken cancellationToken) =>
        await (await ConnectAsync(cancellationToken).ConfigureAwait(false)).SendAsync(queue, invocation, cancellationToken).ConfigureAwait(false);

    public async Task AnnounceAsync(PoolDemanded demand, CancellationToken cancellationToken) =>
        await (await ConnectAsync(cancellationToken).ConfigureAwait(false)).AnnounceAsync(demand, cancellationToken).ConfigureAwait(false);

    public async Task CancelAsync(CancelInvocation cancel, CancellationToken cancellationToken) =>
        await (await ConnectAsync(cancellationToken).ConfigureAwait(false)).CancelAsync(cancel, cancellationToken).ConfigureAwait(false);
}
