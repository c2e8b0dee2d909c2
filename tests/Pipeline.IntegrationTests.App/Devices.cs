namespace Pipeline.IntegrationTests.App;

/// <summary>GPU functions (process containers by default) that say what their process sees.</summary>
public static class Devices
{
    [Function(Gpu = "any")]
    public static DeviceReply VisibleDevices() => See();

    [Function(Gpu = "any")]
    public static DeviceReply OtherVisibleDevices() => See();

    private static DeviceReply See() => new(
        Environment.ProcessId,
        Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES"),
        ContainerContext.Current?.GpuIndices.ToArray() ?? []);
}
