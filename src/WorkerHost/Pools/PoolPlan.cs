using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Pools;

/// <summary>
/// Everything needed to start a pool here: what it runs, with which parameters, and what it needs; how many inputs run
/// at once, and how many messages the broker hands out ahead (at least as many as run).
/// </summary>
internal sealed record PoolPlan(
    string Queue,
    PoolDemanded Demand,
    ClassDefinition? Class,
    ParameterSet Parameters,
    ContainerSettings Settings,
    GpuRequirement? Gpu,
    int Concurrency,
    int Prefetch);
