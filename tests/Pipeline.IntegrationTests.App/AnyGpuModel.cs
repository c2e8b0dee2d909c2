namespace Pipeline.IntegrationTests.App;

/// <summary>
/// A GPU class pool with a short scale-down window: each input holds its container until the test opens the input's
/// gate, and says which container, GPUs, <c>CUDA_VISIBLE_DEVICES</c> and process ran it, so a test sees several
/// process containers (the default for a GPU pool) of one pool at once. One container is warm (<c>MinContainers</c>).
/// </summary>
[Cls(Gpu = "any", ScaledownWindow = "00:00:02", Timeout = "00:02:00", MinContainers = 1)]
public sealed class AnyGpuModel
{
    [Parameter] public required string Name { get; init; }

    [Enter]
    public void Load() => Events.Write("any-gpu-enter", Name);

    /// <summary>
    /// Writes <c>any-gpu-start|name/container/gpus/CUDA_VISIBLE_DEVICES/process id</c>, then waits for the gate named
    /// <paramref name="tag"/>.
    /// </summary>
    [Method]
    public async Task<Reply> HoldAsync(string tag, CancellationToken cancellationToken)
    {
        var context = ContainerContext.Current!;
        Events.Write("any-gpu-start", $"{Name}/{context.ContainerId}/{context.CudaVisibleDevices}/{Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")}/{Environment.ProcessId}");
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!File.Exists(Events.Gate(tag)))
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }

        return Work.Here(tag);
    }

    [Exit]
    public void Unload() => Events.Write("any-gpu-exit", Name);
}
