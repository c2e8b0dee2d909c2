using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Pools;

/// <summary>Everything needed to start a pool here: what it runs, with which parameters, and what it needs.</summary>
internal sealed record PoolPlan(
    string Queue,
    PoolDemanded Demand,
    ClassDefinition? Class,
    ParameterSet Parameters,
    ContainerSettings Settings,
    GpuRequirement? Gpu,
    int Concurrency)
{
    /// <summary>Messages the broker hands out ahead: as many as can run, so input never waits behind a busy container.</summary>
    public int Prefetch => Concurrency;
}
