namespace Pipeline.WorkerHost.Pools;

/// <summary>A pool's autoscaler settings in effect: the app's attributes, or what <c>pipeline pools scale</c> set.</summary>
/// <param name="Min">MinContainers across hosts (warm, kept without traffic).</param>
/// <param name="Max">MaxContainers across hosts; 0 means no limit.</param>
/// <param name="Buffer">Extra idle containers kept while the pool is busy.</param>
internal sealed record PoolScale(int Min, int Max, int Buffer);
