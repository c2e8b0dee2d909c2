namespace Pipeline.WorkerHost.Pools;

/// <summary>A pool queue being consumed.</summary>
internal interface IPoolEndpoint
{
    /// <summary>Stops consuming; in-flight inputs finish (or are cancelled when <paramref name="cancellationToken"/> fires) first.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
