using Microsoft.Extensions.Options;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.IntegrationTests.Invocations;
using Pipeline.RabbitMq;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// The autoscaler with real worker processes and RabbitMQ: several containers of one pool per host on distinct GPUs,
/// back down after the window; input concurrency in one container; warm containers counted across hosts.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class ScalingTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private string? _warmQueue;

    [Fact]
    public async Task FakeFourGpuHost_AnyGpuPoolUnderBacklog_RunsFourProcessContainersOnDistinctGpusThenScalesDownToMin()
    {
        // Process containers: each child's start is a whole host start (about a minute at this machine's load).
        var patience = TimeSpan.FromMinutes(3);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, new Dictionary<string, string>
        {
            ["Pipeline__Worker__Gpus__0"] = "NVIDIA H100 80GB HBM3",
            ["Pipeline__Worker__Gpus__1"] = "NVIDIA H100 80GB HBM3",
            ["Pipeline__Worker__Gpus__2"] = "NVIDIA H100 80GB HBM3",
            ["Pipeline__Worker__Gpus__3"] = "NVIDIA H100 80GB HBM3",
        });
        await using var session = await TestClient.StartAsync(servers);
        var model = session.Client.Cls("itest", "any-gpu-model").With(new { name = _run });
        _warmQueue = model.Queue;

        var calls = Enumerable.Range(0, 4).Select(i => model.Method("hold").RemoteAsync<Reply>([$"{_run}-{i}"])).ToList();
        await Eventually.TrueAsync(() => Starts("any-gpu-start").Count == 4, patience, "four inputs of one pool running at once");

        // No gate is open yet: the four inputs overlap. Subject: name/container/gpus/CUDA_VISIBLE_DEVICES/pid.
        var starts = Starts("any-gpu-start").Select(s => s.Split('/')).ToList();
        foreach (var i in Enumerable.Range(0, 4))
        {
            servers.OpenGate($"{_run}-{i}");
        }

        var replies = await Task.WhenAll(calls).WaitAsync(patience);

        // Four child processes of the host, each on its own GPU, as each saw its CUDA_VISIBLE_DEVICES.
        var pids = starts.Select(s => int.Parse(s[4], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, pids.Distinct().Count());
        Assert.DoesNotContain(worker.Pid, pids);
        Assert.Equal(["0", "1", "2", "3"], starts.Select(s => s[3]).Order());
        Assert.Equal(["0", "1", "2", "3"], starts.Select(s => s[2]).Order());
        Assert.Equal([0, 1, 2, 3], replies.SelectMany(r => r.Gpus).Order());
        Assert.Equal(pids.Order(), replies.Select(r => r.Pid).Order());

        // MinContainers is 1: after the 2 s window three idle children run exit and end; the warm one (lease slot 0) stays.
        await Eventually.TrueAsync(() => _events.Count("any-gpu-exit", _run) == 3, patience, "three idle containers ran exit after the window");
        using var management = new ManagementApi(Options.Create(TestClient.Options(servers)));
        IReadOnlyList<ContainerLease> left = [];
        await Eventually.TrueAsync(
            async () => (left = [.. (await management.ListContainersAsync(CancellationToken.None)).Where(c => c.Pool.StartsWith("itest.any-gpu-model", StringComparison.Ordinal))]).Count == 1,
            patience,
            "one container of the pool left (MinContainers)");
        Assert.Equal(0, left[0].Slot);
        Assert.Equal(3, _events.Count("any-gpu-exit", _run));
    }

    [Fact]
    public async Task Concurrent8_EightInputs_AllRunAtOnceInOneContainer()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var overlap = session.Client.Function("itest", "overlap");

        var calls = Enumerable.Range(0, 8).Select(i => overlap.RemoteAsync<Reply>([_run, i])).ToList();
        await Eventually.TrueAsync(() => Starts("overlap-start").Count == 8, Patience, "eight inputs running at once");
        var starts = Starts("overlap-start");
        servers.OpenGate(_run);
        var replies = await Task.WhenAll(calls).WaitAsync(Patience);

        Assert.Single(starts.Distinct());
        Assert.Equal(8, replies.Select(r => r.Tag).Distinct().Count());
        Assert.All(replies, r => Assert.Equal(worker.Pid, r.Pid));
    }

    [Fact]
    public async Task MinContainers2_TwoHostsNoTraffic_TwoWarmContainersAcrossHostsAndTheSurvivorReplacesAKilledHostsOnes()
    {
        await using var first = WorkerProcess.Start(servers, _events.Directory);
        await using var second = WorkerProcess.Start(servers, _events.Directory);
        await first.WaitForOutputAsync("listening for pool notices", Patience);
        await second.WaitForOutputAsync("listening for pool notices", Patience);
        using var management = new ManagementApi(Options.Create(TestClient.Options(servers)));
        async Task<IReadOnlyList<ContainerLease>> WarmAsync() =>
            [.. (await management.ListContainersAsync(CancellationToken.None)).Where(c => c.Pool == "itest.warm")];

        IReadOnlyList<ContainerLease> warm = [];
        await Eventually.TrueAsync(async () => (warm = await WarmAsync()).Count == 2, Patience, "two warm containers of itest.warm across the two hosts, with no input sent");
        Assert.Equal([0, 1], warm.Select(c => c.Slot).Order());

        // The host holding slot 0 dies: its leases go with its connection, and the other host takes them.
        var victim = warm.First(c => c.Slot == 0).Host.EndsWith($":{first.Pid}", StringComparison.Ordinal) ? first : second;
        var survivor = victim == first ? second : first;
        victim.Kill();
        await Eventually.TrueAsync(
            async () => (warm = await WarmAsync()).Count == 2 && warm.All(c => c.Host.EndsWith($":{survivor.Pid}", StringComparison.Ordinal)),
            Patience,
            "the surviving host runs both warm containers");
        Assert.Equal([0, 1], warm.Select(c => c.Slot).Order());
    }

    public void Dispose()
    {
        // A failed test must not leave gated inputs that hold a later test's worker.
        servers.OpenGate(_run);
        foreach (var i in Enumerable.Range(0, 4))
        {
            servers.OpenGate($"{_run}-{i}");
        }

        // The any-GPU pool keeps a warm container (MinContainers = 1) wherever its queue is listed: without its queue, a
        // later test's host in this virtual host does not give it a GPU.
        if (_warmQueue is not null)
        {
            DeleteQueueAsync(_warmQueue).GetAwaiter().GetResult();
        }

        _events.Dispose();
    }

    private async Task DeleteQueueAsync(string queue)
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await raw.DeleteQueueAsync(queue);
    }

    // The subjects of this run's events of a kind, with the run prefix removed.
    private List<string> Starts(string kind) =>
        [.. _events.Read().Where(e => e.Kind == kind && e.Subject.StartsWith(_run + "/", StringComparison.Ordinal)).Select(e => e.Subject)];
}
