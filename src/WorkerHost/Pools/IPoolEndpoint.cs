namespace Pipeline.WorkerHost.Pools;

/// <summary>A pool queue being consumed.</summary>
internal interface IPoolEndpoint
{
    /// <summary>Stops consuming; in-flight inputs finish (or are cancelled when <paramref name="cancellationToken"/> fires) first.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Cancelled when consuming ended without <see cref="StopAsync"/> (the broker closed the connection or the channel,
    /// or the network dropped): the transport has cancelled the in-flight inputs, which the broker redelivers.
    /// </summary>
    CancellationToken Lost { get; }
}
