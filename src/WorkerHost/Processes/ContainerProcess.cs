using System.Text.Json;
using Pipeline.Messages.Invocations;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Processes;

/// <summary>
/// The contract between a worker host and the process containers it starts: the variables that put the same app into
/// single-container mode, the lines the child writes on its standard output for the host, and the line the host writes
/// on the child's standard input.
/// </summary>
internal static class ContainerProcess
{
    /// <summary>The pool the child serves, as the JSON of its <see cref="PoolDemanded"/> notice. Set: single-container mode.</summary>
    public const string PoolVariable = "PIPELINE_CONTAINER_POOL";

    /// <summary>The GPUs the child owns (the host's lease), as JSON devices with their host indices.</summary>
    public const string GpusVariable = "PIPELINE_CONTAINER_GPUS";

    /// <summary>What starts each line the child writes for the host (all other lines are its log, passed through).</summary>
    public const string StatusPrefix = "##pipeline-container ";

    /// <summary>The child entered its container and consumes the pool's queue.</summary>
    public const string Ready = "ready";

    /// <summary>Followed by the number of inputs running in the child now.</summary>
    public const string InFlight = "in-flight ";

    /// <summary>Followed by why: the child kills itself now (a stuck attempt, a terminating cancel); its exit is skipped.</summary>
    public const string Killing = "killing ";

    /// <summary>The host's request on the child's standard input: stop consuming, finish or return inputs, run exit, leave.</summary>
    public const string Stop = "stop";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The pool of this process when it is a process container; null for a worker host.</summary>
    public static PoolDemanded? FromEnvironment() =>
        Environment.GetEnvironmentVariable(PoolVariable) is { Length: > 0 } json
            ? JsonSerializer.Deserialize<PoolDemanded>(json, Json) ?? throw new InvalidOperationException($"{PoolVariable} is empty JSON.")
            : null;

    /// <summary>The GPUs of this process container, from <see cref="GpusVariable"/>.</summary>
    public static IReadOnlyList<GpuDevice> GpusFromEnvironment() =>
        Environment.GetEnvironmentVariable(GpusVariable) is { Length: > 0 } json ? JsonSerializer.Deserialize<GpuDevice[]>(json, Json) ?? [] : [];

    public static string Serialize(PoolDemanded demand) => JsonSerializer.Serialize(demand, Json);

    public static string Serialize(IReadOnlyList<GpuDevice> gpus) => JsonSerializer.Serialize(gpus, Json);
}
