using System.Diagnostics;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Contracts;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.RabbitMq;

namespace Pipeline.IntegrationTests.WorkerHost;

[Collection(ServersGroup.Name)]
public sealed class WorkerHostTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // The default ScaledownWindow of the test app's classes.
    private static readonly TimeSpan ScaledownWindow = TimeSpan.FromSeconds(60);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task RemoteAsync_OneHost_RunsTheFunctionInTheWorkerProcess()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);

        var reply = await session.Client.Function<IWork>().RemoteAsync(w => w.Echo("hello")).WaitAsync(Patience);

        Assert.Equal("hello", reply.Tag);
        Assert.Equal(worker.Pid, reply.Pid);
    }

    [Fact]
    public async Task MapAsync_TwoHostsOnePool_ThousandInputsCompleteExactlyOnceOnBothHosts()
    {
        await using var first = WorkerProcess.Start(servers, _events.Directory);
        await using var second = WorkerProcess.Start(servers, _events.Directory);
        await first.WaitForOutputAsync("listening for pool notices", Patience);
        await second.WaitForOutputAsync("listening for pool notices", Patience);
        await using var session = await TestClient.StartAsync(servers);
        var tags = Enumerable.Range(0, 1000).Select(i => $"{_run}-{i}").ToList();

        var replies = new List<Reply>();
        await foreach (var reply in session.Client.Function<IWork>().MapAsync(tags, (w, tag) => w.Echo(tag), new MapOptions { MaxInFlight = 200 }).WithCancellation(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token))
        {
            replies.Add(reply);
        }

        Assert.Equal(tags, replies.Select(r => r.Tag));
        Assert.Equal(new[] { first.Pid, second.Pid }.Order(), replies.Select(r => r.Pid).Distinct().Order());
        var runs = _events.Read().Where(e => e.Kind == "echo" && e.Subject.StartsWith(_run, StringComparison.Ordinal)).ToList();
        Assert.Equal(1000, runs.Count);
        Assert.Equal(1000, runs.Select(e => e.Subject).Distinct().Count());
    }

    [Fact]
    public async Task Kill9_HostMidInput_InputIsDeliveredAgainAndCompletesOnTheOtherHost()
    {
        await using var doomed = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var tag = $"{_run}-kill";

        var call = session.Client.Function("itest", "gated").RemoteAsync<Reply>([tag]);
        await Eventually.TrueAsync(() => _events.Count("gated-start", tag) == 1, Patience, "the doomed host started the input");
        await using var survivor = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        doomed.Kill();
        await doomed.Exited.WaitAsync(Patience);
        servers.OpenGate(tag);
        var reply = await call.WaitAsync(Patience);

        Assert.Equal(survivor.Pid, reply.Pid);
        Assert.Contains(_events.Read(), e => e.Kind == "gated-start" && e.Subject == tag && e.Pid == survivor.Pid);
        Assert.DoesNotContain(_events.Read(), e => e.Kind == "gated-end" && e.Subject == tag && e.Pid == doomed.Pid);
    }

    [Fact]
    public async Task Sigterm_MidInput_InputFinishesExitRunsOnceAndProcessExitsZeroWithinGrace()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var model = session.Client.Cls<IModel, ModelParameters>(new(_run));
        var subject = $"model/{_run}/1";

        var call = model.RemoteAsync(m => m.SlowAsync("bye", 2000, CancellationToken.None));
        await Eventually.TrueAsync(() => _events.Count("slow-start", subject) == 1, Patience, "the input started");
        var stopwatch = Stopwatch.StartNew();
        worker.Signal("TERM");
        var exitCode = await worker.Exited.WaitAsync(Patience);
        stopwatch.Stop();
        var reply = await call.WaitAsync(Patience);

        Assert.Equal(0, exitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"exited after {stopwatch.Elapsed}, past the 10 s grace period");
        Assert.Equal(worker.Pid, reply.Pid);
        Assert.Equal(1, _events.Count("enter", subject));
        Assert.Equal(1, _events.Count("exit", subject));
    }

    [Fact]
    public async Task SecondSigterm_WhileAnInputRuns_StopsAtOnceAndTheInputGoesBackToTheQueue()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, new Dictionary<string, string>
        {
            ["Pipeline__Worker__ExitGracePeriod"] = "00:01:00",
        });
        await using var session = await TestClient.StartAsync(servers);
        var tag = $"{_run}-hard";
        var call = session.Client.Function("itest", "gated").RemoteAsync<Reply>([tag]);
        await Eventually.TrueAsync(() => _events.Count("gated-start", tag) == 1, Patience, "the input started");

        worker.Signal("TERM");
        await worker.WaitForOutputAsync("stopping", Patience);
        var stopwatch = Stopwatch.StartNew();
        worker.Signal("TERM");
        var exitCode = await worker.Exited.WaitAsync(Patience);
        stopwatch.Stop();

        Assert.Equal(143, exitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"the second signal took {stopwatch.Elapsed}, not 'at once' (grace is 60 s)");
        await using var next = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        servers.OpenGate(tag);
        Assert.Equal(next.Pid, (await call.WaitAsync(Patience)).Pid);
    }

    [Fact]
    public async Task QuorumQueues_RemoteCallAndDeadLetterWork()
    {
        var quorum = new Dictionary<string, string> { ["Pipeline__RabbitMq__QueueType"] = "quorum" };
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, quorum);
        var options = TestClient.Options(servers);
        options.QueueType = RabbitMqQueueType.Quorum;
        await using var session = await PipelineConnection.ConnectAsync(options, AppManifests.From(typeof(Work).Assembly));
        var model = session.Client.Cls("itest", "model").With(new { name = _run + "-quorum" });

        var reply = await model.Method("generate").RemoteAsync<Reply>(["q"]).WaitAsync(Patience);
        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => model.Method("generate").RemoteAsync<Reply>([42]).WaitAsync(Patience));

        Assert.Equal(worker.Pid, reply.Pid);
        Assert.Equal(Pipeline.Messages.Invocations.InvocationStatus.Rejected, error.Status);
        using var management = new ManagementApi(Microsoft.Extensions.Options.Options.Create(options));
        var queue = (await management.ListPoolQueuesAsync(CancellationToken.None)).Single(q => q.Name == model.Queue);
        Assert.Equal("quorum", $"{queue.Arguments[PoolQueueArguments.QueueType]}");
        await using var topology = new BrokerTopology(Microsoft.Extensions.Options.Options.Create(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<BrokerTopology>.Instance);
        await Eventually.TrueAsync(async () => (await topology.PeekAsync(model.Queue + "_error", CancellationToken.None))?.Ready == 1, Patience, "the rejected input reached the quorum pool's _error queue");
    }

    [Fact]
    public async Task CloseAllConnections_ExitRunsThenHostReconnectsAndServesAgain()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var model = session.Client.Cls("itest", "model").With(new { name = _run });
        var subject = $"model/{_run}/1";
        await model.Method("generate").RemoteAsync<Reply>(["before"]).WaitAsync(Patience);

        await servers.CloseConnectionsAsync(_ => true, worker.Pid);
        await Eventually.TrueAsync(() => _events.Count("exit", subject) >= 1, Patience, "exit ran after the broker closed the connection");

        // One input from a client whose connection was not closed: a send retried on the old client could leave two
        // inputs queued, and the pool would rightly start a second container for them.
        await using var fresh = await TestClient.StartAsync(servers);
        var after = await fresh.Client.Cls("itest", "model").With(new { name = _run }).Method("generate").RemoteAsync<Reply>(["after"]).WaitAsync(Patience);

        Assert.Equal($"{_run}:1:after", after.Tag);
        Assert.Equal(worker.Pid, after.Pid);
        Assert.False(worker.Exited.IsCompleted);
        // A fresh container entered to serve it, and every other container that entered runs exit. The broker closes the
        // bus's connection and the topology connection (which holds the container's lease) one after the other; a host
        // that notices them apart stops the container it restarted in between (its exit may still be running now), so
        // there may be two exit/enter rounds. The autoscaler may also have added a container for a backlog the
        // management API still listed (its counts are seconds old): that one exits after the class's scale-down window
        // (60 s), so the wait covers the window; a container that never exits still fails it.
        Assert.True(_events.Count("enter", subject) >= 2, "a fresh container entered after the reconnect");
        await Eventually.TrueAsync(
            () => _events.Count("enter", subject) <= _events.Count("exit", subject) + 1,
            ScaledownWindow + Patience,
            "every container but the serving one ran exit");
    }

    [Fact]
    public async Task Pools_ThreeParameterSets_GetThreeReadableQueuesWithTheirParameters()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var queues = new List<string>();

        foreach (var size in new[] { 1, 2, 3 })
        {
            var model = session.Client.Cls("itest", "Model").With(new { name = _run, size });
            await model.Method("generate").RemoteAsync<Reply>(["x"]).WaitAsync(Patience);
            queues.Add(model.Queue);
        }

        Assert.Equal(3, queues.Distinct().Count());
        Assert.All(queues, q => Assert.Matches("^itest\\.model\\.p-[0-9a-f]{16}$", q));
        using var management = new ManagementApi(Microsoft.Extensions.Options.Options.Create(TestClient.Options(servers)));
        await Eventually.TrueAsync(
            async () =>
            {
                var listed = await management.ListPoolQueuesAsync(CancellationToken.None);
                return queues.Select((q, i) => listed.Any(l => l.Name == q
                    && $"{l.Arguments[PoolQueueArguments.Parameters]}".Contains(_run, StringComparison.Ordinal)
                    && Equals(l.Arguments.GetValueOrDefault("x-pipeline-param.name"), _run)
                    && Equals(l.Arguments.GetValueOrDefault("x-pipeline-param.size"), (long)(i + 1)))).All(found => found);
            },
            Patience,
            "the management API lists the three pool queues with their parameters, each as its own argument too");
        Assert.Equal(3, _events.Read().Count(e => e.Kind == "enter" && e.Subject.StartsWith($"model/{_run}/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task MaxContainers1_TwoHosts_OnlyOneContainerEverRuns()
    {
        await using var first = WorkerProcess.Start(servers, _events.Directory);
        await using var second = WorkerProcess.Start(servers, _events.Directory);
        await first.WaitForOutputAsync("listening for pool notices", Patience);
        await second.WaitForOutputAsync("listening for pool notices", Patience);
        await using var session = await TestClient.StartAsync(servers);
        var singleton = session.Client.Cls("itest", "singleton").With(new { name = _run });

        var replies = new List<Reply>();
        await foreach (var reply in singleton.Method("who").MapAsync<Reply>(Enumerable.Range(0, 50).Select(i => (object?)$"t{i}")))
        {
            replies.Add(reply);
        }

        Assert.Single(replies.Select(r => r.Pid).Distinct());
        Assert.Equal(1, _events.Count("enter", $"singleton/{_run}"));
        var loser = replies[0].Pid == first.Pid ? second : first;
        Assert.True(loser.Count("MaxContainers=1") > 0, "the other host saw the lease taken");
    }

    [Fact]
    public async Task ScaledownWindow_IdleContainerExitsAndEmptyQueueIsDeletedButAQueueWithMessagesIsNot()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, new Dictionary<string, string>
        {
            ["Pipeline__Worker__QueueIdleTimeout"] = "00:00:02",
        });
        await using var session = await TestClient.StartAsync(servers);
        await using var topology = new BrokerTopology(Microsoft.Extensions.Options.Options.Create(TestClient.Options(servers)), Microsoft.Extensions.Logging.Abstractions.NullLogger<BrokerTopology>.Instance);
        var quick = session.Client.Cls("itest", "quick").With(new { name = _run });
        await quick.Method("ping").RemoteAsync<Reply>(["x"]).WaitAsync(Patience);
        var gpuOnly = session.Client.Function("itest", "on-gpu");
        await gpuOnly.SendAsync([_run, 1]);

        await Eventually.TrueAsync(() => _events.Count("exit", $"quick/{_run}") == 1, Patience, "the idle container ran exit after its 2 s window");
        // Watched through the management API: a passive declare would count as use and keep the queue alive.
        using var management = new ManagementApi(Microsoft.Extensions.Options.Options.Create(TestClient.Options(servers)));
        await Eventually.TrueAsync(
            async () => (await management.ListPoolQueuesAsync(CancellationToken.None)).All(q => q.Name != quick.Queue),
            Patience,
            "the empty, unused pool queue was deleted");
        Assert.Null(await topology.PeekAsync(quick.Queue, CancellationToken.None));

        var waiting = await topology.PeekAsync(gpuOnly.Queue, CancellationToken.None);
        Assert.NotNull(waiting);
        Assert.True(waiting.Ready >= 1);
        Assert.DoesNotContain(_events.Read(), e => e.Kind == "gpu-start" && e.Subject == _run);
        Assert.True(worker.Count("which this host does not have") > 0, "the CPU-only host refused the GPU pool");
        await Purge(topology, gpuOnly.Queue);
    }

    [Fact]
    public async Task FakeTwoGpuInventory_RunsTwoOneGpuContainersAtOnceAndNeverAFourGpuOne()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, new Dictionary<string, string>
        {
            ["Pipeline__Worker__Gpus__0"] = "NVIDIA H100 80GB HBM3",
            ["Pipeline__Worker__Gpus__1"] = "NVIDIA H100 80GB HBM3",
        });
        await using var session = await TestClient.StartAsync(servers);

        var one = session.Client.Function("itest", "on-gpu").RemoteAsync<Reply>([$"{_run}-a", 3000]);
        var two = session.Client.Function("itest", "on-other-gpu").RemoteAsync<Reply>([$"{_run}-b", 3000]);
        await Eventually.TrueAsync(
            () => _events.Count("gpu-start", $"{_run}-a") == 1 && _events.Count("gpu-start", $"{_run}-b") == 1,
            TimeSpan.FromSeconds(2.9 + 30),
            "both 1-GPU containers started");
        Assert.False(one.IsCompleted && two.IsCompleted, "both ran at once: neither waited for the other");
        var replies = await Task.WhenAll(one, two).WaitAsync(Patience);
        var four = session.Client.Function("itest", "on-four-gpus");
        await four.SendAsync([_run]);
        await worker.WaitForOutputAsync("which this host does not have", Patience);

        Assert.Equal([0, 1], replies.SelectMany(r => r.Gpus).Order());
        Assert.All(replies, r => Assert.Single(r.Gpus));
        await using var topology = new BrokerTopology(Microsoft.Extensions.Options.Options.Create(TestClient.Options(servers)), Microsoft.Extensions.Logging.Abstractions.NullLogger<BrokerTopology>.Instance);
        Assert.True((await topology.PeekAsync(four.Queue, CancellationToken.None))?.Ready >= 1);
        await Purge(topology, four.Queue);
    }

    public void Dispose()
    {
        // A failed test must not leave a gated input that blocks a later test's worker.
        servers.OpenGate($"{_run}-kill");
        servers.OpenGate($"{_run}-hard");
        _events.Dispose();
    }

    private async Task Purge(BrokerTopology topology, string queue)
    {
        _ = topology;
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(servers.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(queue);
    }
}
