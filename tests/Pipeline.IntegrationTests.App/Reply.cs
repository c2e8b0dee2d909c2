namespace Pipeline.IntegrationTests.App;

/// <summary>What a test function returns: its input tag, the process that ran it, and the GPUs it held.</summary>
public sealed record Reply(string Tag, int Pid, int[] Gpus);
