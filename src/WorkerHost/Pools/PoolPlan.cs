using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// Everything needed to start a pool here: what it runs, with which parameters, and what it needs; how many inputs one
/// container runs at once (<paramref name="Concurrency"/>) and aims for (<paramref name="Target"/>), how many containers
/// this host could run of it (<paramref name="Capacity"/>), and how many messages the broker hands this host ahead (at
/// least as many as all those containers run).
/// </summary>
internal sealed record PoolPlan(
    string Queue,
    PoolDemanded Demand,
    ClassDefinition? Class,
    ParameterSet Parameters,
    ContainerSettings Settings,
    GpuRequirement? Gpu,
    int Concurrency,
    int Prefetch,
    int Capacity = 1,
    int Target = 0)
{
    /// <summary>The most inputs the pool's consumer on this host takes at once: every container it could run, full.</summary>
    public int InputLimit => Math.Max(1, Concurrency * Math.Max(1, Capacity));

    /// <summary>
    /// The most inputs the pool's endpoint takes at once: up to the prefetch (CPU function pools: 200), so that the
    /// result store's round trips of inputs that wait before or after their turn overlap, while at most
    /// <see cref="InputLimit"/> run user code. GPU and class pools prefetch only <see cref="InputLimit"/>, so theirs
    /// is the same.
    /// </summary>
    public int AdmitLimit => Math.Max(InputLimit, Prefetch);

    /// <summary>The inputs per container the autoscaler aims for.</summary>
    public int TargetInputs => Target > 0 ? Target : Concurrency;
}
