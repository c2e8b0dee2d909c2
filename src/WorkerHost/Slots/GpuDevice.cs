namespace Pipeline.WorkerHost.Slots;

/// <summary>One GPU of this host, as <c>nvidia-smi</c> reports it (or as configuration declares it).</summary>
/// <param name="Index">The driver's index, the number <c>CUDA_VISIBLE_DEVICES</c> uses.</param>
/// <param name="Name">The model name, for example <c>NVIDIA H100 80GB HBM3</c>.</param>
/// <param name="MemoryMiB">Total memory in MiB; 0 when unknown (a declared inventory).</param>
internal sealed record GpuDevice(int Index, string Name, long MemoryMiB)
{
    /// <summary>A declared inventory: one device per model name, indexed 0, 1, … in order, memory unknown.</summary>
    public static IReadOnlyList<GpuDevice> FromNames(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return [.. names.Select((name, index) => new GpuDevice(index, name.Trim(), 0))];
    }
}
