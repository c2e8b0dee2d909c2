namespace Pipeline;

/// <summary>
/// What the running container knows about itself, readable from <c>[Enter]</c>, <c>[Exit]</c> and methods through
/// <see cref="Current"/>: its id and the GPU device indices its host gave it (use them to pick CUDA devices).
/// </summary>
public sealed class ContainerContext
{
    private static readonly AsyncLocal<ContainerContext?> Ambient = new();

    internal ContainerContext(string containerId, string queue, IReadOnlyList<int> gpuIndices)
    {
        ContainerId = containerId;
        Queue = queue;
        GpuIndices = gpuIndices;
    }

    /// <summary>The context of the container running the current code; null outside one.</summary>
    public static ContainerContext? Current => Ambient.Value;

    /// <summary>The container's id (<c>ct-...</c>).</summary>
    public string ContainerId { get; }

    /// <summary>The pool queue the container consumes.</summary>
    public string Queue { get; }

    /// <summary>The GPU device indices (as <c>nvidia-smi</c> numbers them) this container holds; empty for CPU containers.</summary>
    public IReadOnlyList<int> GpuIndices { get; }

    /// <summary>The indices as a <c>CUDA_VISIBLE_DEVICES</c> value, for example <c>"0,1"</c>.</summary>
    public string CudaVisibleDevices => string.Join(',', GpuIndices);

    internal static void Enter(ContainerContext context) => Ambient.Value = context;
}
