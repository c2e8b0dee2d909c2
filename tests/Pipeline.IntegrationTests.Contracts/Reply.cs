// Shared by the app's contracts and its callers, so it lives in the contracts assembly; it keeps the namespace the
// integration tests have always imported it from, so moving it here changed no test file.
namespace Pipeline.IntegrationTests.App;

/// <summary>What a test function returns: its input tag, the process that ran it, and the GPUs it held.</summary>
/// <param name="Tag">The input's tag.</param>
/// <param name="Pid">The worker process.</param>
/// <param name="Gpus">The GPU indices the container held.</param>
public sealed record Reply(string Tag, int Pid, int[] Gpus);
