using System.Collections.ObjectModel;

namespace Pipeline;

/// <summary>
/// What the running container knows about itself, readable from <c>[Enter]</c>, <c>[Exit]</c> and methods through
/// <see cref="Current"/>: its id, its class parameters, the GPU device indices its host gave it (use them to pick CUDA
/// devices) and, while an input runs, that input's call id and attempt.
/// </summary>
public sealed class ContainerContext
{
    private static readonly AsyncLocal<ContainerContext?> Ambient = new();
    private static readonly IReadOnlyDictionary<string, object?> NoParameters = ReadOnlyDictionary<string, object?>.Empty;

    internal ContainerContext(string containerId, string queue, IReadOnlyList<int> gpuIndices, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        ContainerId = containerId;
        Queue = queue;
        GpuIndices = gpuIndices;
        Parameters = parameters ?? NoParameters;
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

    /// <summary>
    /// The container's class parameters by wire name, defaults applied (<c>string</c>, <c>long</c>, <c>bool</c> or
    /// <c>byte[]</c> values); empty for a function's container.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Parameters { get; }

    /// <summary>The call (<c>fc-...</c>) whose input is running; null in <c>[Enter]</c>, <c>[Exit]</c> and batched methods (a batch holds many calls).</summary>
    public string? CallId { get; private init; }

    /// <summary>
    /// The running input's id; null where <see cref="CallId"/> is. Every input is its own call in Pipeline (a map gives
    /// each input its own call id), so this equals <see cref="CallId"/>; it is kept for Modal's <c>current_input_id()</c>.
    /// </summary>
    public string? InputId => CallId;

    /// <summary>The running input's attempt, from 1 (retries raise it); 0 outside an input.</summary>
    public int Attempt { get; private init; }

    internal static void Enter(ContainerContext context) => Ambient.Value = context;

    /// <summary>The same container, running one input.</summary>
    internal ContainerContext ForInput(string callId, int attempt) => new(ContainerId, Queue, GpuIndices, Parameters)
    {
        CallId = callId,
        Attempt = attempt,
    };
}
