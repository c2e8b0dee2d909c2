using System.Diagnostics;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Invocations;
using Xunit.Abstractions;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// Process containers on a real worker host: each is a child process of the host, sees only its own GPUs, and can
/// crash or be killed without taking the host (or its other pools) down; its unacknowledged input is redelivered.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class ProcessContainerTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    // A process container starts a second runtime and bus: on the shared 2-core machine under load that took a minute.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static readonly Dictionary<string, string> Quick = new()
    {
        ["Pipeline__Worker__StuckAttemptGrace"] = "00:00:01",
        ["Pipeline__Worker__EnterRestartBackoff"] = "00:00:01",
    };

    // Set by infra/gpu-check.sh on a machine with GPUs: the host detects them with nvidia-smi instead of a fake inventory.
    private static readonly bool RealGpus = Environment.GetEnvironmentVariable("PIPELINE_ITEST_REAL_GPUS") == "1";

    private readonly EventLog _events = new();
    private readonly string _tag = "proc-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task GpuPools_FakeTwoGpuHost_EachChildProcessSeesOnlyItsOwnGpuInCudaVisibleDevices()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, RealGpus ? new Dictionary<string, string>() : new Dictionary<string, string>
        {
            ["Pipeline__Worker__Gpus__0"] = "NVIDIA H100 80GB HBM3",
            ["Pipeline__Worker__Gpus__1"] = "NVIDIA H100 80GB HBM3",
        }, RealGpus ? new Dictionary<string, string?> { ["Pipeline__Worker__DetectGpus"] = "true" } : null);
        await using var session = await TestClient.StartAsync(servers);
        try
        {
            var replies = await Task.WhenAll(
                session.Client.Function("itest", "visible-devices").RemoteAsync<DeviceReply>([]),
                session.Client.Function("itest", "other-visible-devices").RemoteAsync<DeviceReply>([])).WaitAsync(Patience);

            Assert.All(replies, r => Assert.NotEqual(worker.Pid, r.Pid));
            Assert.NotEqual(replies[0].Pid, replies[1].Pid);
            Assert.All(replies, r => Assert.Equal(string.Join(",", r.Gpus), r.Visible));
            Assert.All(replies, r => Assert.Single(r.Gpus));
            if (RealGpus)
            {
                // infra/gpu-check.sh on a GPU machine: the host asked nvidia-smi, and each child saw one device it found.
                await worker.WaitForOutputAsync("Detected ", Patience);
                output.WriteLine($"gpu-check: host {worker.Pid}; children saw CUDA_VISIBLE_DEVICES {string.Join(" and ", replies.Select(r => $"{r.Visible} (pid {r.Pid})"))}");
            }
            else
            {
                Assert.Equal(["0", "1"], replies.Select(r => r.Visible).Order());
            }
        }
        finally
        {
            output.WriteLine(worker.Output);
        }
    }

    [Fact]
    public async Task Crash_ChildFailsFastMidInput_OtherPoolsServeAndTheInputCompletesOnAFreshChild()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, Quick);
        await using var session = await TestClient.StartAsync(servers);
        try
        {
            var isolated = session.Client.Cls("itest", "isolated").With(new { name = _tag });
            var first = await isolated.Method("pid").RemoteAsync<int>([]).WaitAsync(Patience);

            var call = await isolated.Method("crash").SpawnAsync([_tag]);
            await worker.WaitForOutputAsync("exited unexpectedly", Patience);
            var echo = await session.Client.Function("itest", "echo").RemoteAsync<Reply>([_tag]).WaitAsync(Patience);
            var second = await call.GetAsync<int>(Patience);

            Assert.NotEqual(worker.Pid, first);
            Assert.Equal(worker.Pid, echo.Pid);
            Assert.NotEqual(first, second);
            Assert.NotEqual(worker.Pid, second);
            Assert.Equal(1, _events.Count("isolated-crash", _tag));
            Assert.Equal(1, _events.Count("isolated-done", _tag));
            Assert.False(worker.Exited.IsCompleted, "the host kept running");
            Assert.Equal(second, await isolated.Method("pid").RemoteAsync<int>([]).WaitAsync(Patience));
        }
        finally
        {
            output.WriteLine(worker.Output);
        }
    }

    [Fact]
    public async Task Timeout_SynchronousThirtySecondsWithOneSecondTimeout_TimedOutAndTheNextInputRunsOnAFreshChild()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, Quick);
        await using var session = await TestClient.StartAsync(servers);
        try
        {
            var isolated = session.Client.Cls("itest", "isolated").With(new { name = _tag });
            var first = await isolated.Method("pid").RemoteAsync<int>([]).WaitAsync(Patience);

            var call = await isolated.Method("block").SpawnAsync([_tag]);
            var error = await Assert.ThrowsAnyAsync<RemoteException>(() => call.GetAsync<int>(Patience));
            var next = await isolated.Method("pid").RemoteAsync<int>([]).WaitAsync(Patience);

            // Resolved while the code still blocked; its process was killed, not waited for.
            Assert.Equal(InvocationStatus.TimedOut, error.Status);
            Assert.NotEqual(first, next);
            Assert.NotEqual(worker.Pid, next);
            Assert.Equal(1, _events.Count("isolated-block-start", _tag));
            Assert.Equal(0, _events.Count("isolated-block-end", _tag));
            Assert.Equal(0, _events.Count("isolated-exit", _tag));
            Assert.Contains(worker.Output.Split('\n'), l => l.Contains($"container process {first} is killed", StringComparison.Ordinal) && l.Contains("exit hooks are skipped", StringComparison.Ordinal));
            await Eventually.TrueAsync(() => IsGone(first), Patience, "the stuck child process is gone");
        }
        finally
        {
            output.WriteLine(worker.Output);
        }
    }

    public void Dispose()
    {
        servers.OpenGate(_tag);
        _events.Dispose();
    }

    private static bool IsGone(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
