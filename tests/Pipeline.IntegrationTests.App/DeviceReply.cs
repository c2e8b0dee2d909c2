namespace Pipeline.IntegrationTests.App;

/// <summary>What a container's process sees: its id, its <c>CUDA_VISIBLE_DEVICES</c>, and the GPUs it was lent.</summary>
public sealed record DeviceReply(int Pid, string? Visible, int[] Gpus);
