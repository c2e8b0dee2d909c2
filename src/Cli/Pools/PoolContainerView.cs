namespace Pipeline.Cli.Pools;

/// <summary>One container of a pool as <c>pipeline pools</c> shows it.</summary>
/// <param name="Host">The host running it (machine:pid).</param>
/// <param name="Slot">Its lease slot; slots below MinContainers are the warm ones.</param>
/// <param name="Gpus">The GPU indices it holds; empty on a CPU slot.</param>
internal sealed record PoolContainerView(string Host, int Slot, IReadOnlyList<int> Gpus);
