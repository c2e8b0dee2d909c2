namespace Pipeline.WorkerHost.Pools;

/// <summary>The right to run one container of a pool with <c>MaxContainers</c>; disposing gives it back.</summary>
internal interface IPoolLease : IAsyncDisposable
{
    /// <summary>Cancelled when the lease is lost (the broker connection that held it dropped).</summary>
    CancellationToken Lost { get; }
}
