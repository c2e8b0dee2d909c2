namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// The right to run one container of a pool, one of its numbered slots across all hosts (slots below
/// <c>MinContainers</c> are the warm ones, kept without traffic); disposing gives it back.
/// </summary>
internal interface IPoolLease : IAsyncDisposable
{
    /// <summary>The slot number, from 0: each host takes the lowest free one.</summary>
    int Slot { get; }

    /// <summary>Cancelled when the lease is lost (the broker connection that held it dropped).</summary>
    CancellationToken Lost { get; }
}
