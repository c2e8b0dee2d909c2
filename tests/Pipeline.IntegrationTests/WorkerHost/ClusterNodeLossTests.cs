using System.Diagnostics;
using System.Globalization;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.RabbitMq;
using Pipeline.Results;
using Xunit.Abstractions;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// Node loss on a three-node RabbitMQ cluster with quorum pool queues (docs/operations.md): two worker host processes
/// work through 5,000 spawned inputs (results in the shared PostgreSQL) while the test SIGKILLs the node each host's
/// bus connection is on (one at a time, each started again before the next loss), then the node holding the pool
/// queue's quorum leader. Which node a connection is on comes from the management API (<c>node</c> and
/// <c>client_properties.connection_name</c>: each process names its bus and topology connections, see
/// <c>ConnectionNames</c>). Every input's result is retrievable by its own id, nothing is in <c>_error</c>, a host
/// whose bus connection was lost ran <c>exit</c> for its open container (docs/worker-hosts.md, broker loss) and
/// reconnected to a surviving node, every <c>enter</c> had its <c>exit</c>, and inputs that ran twice are no more than
/// those in flight on the lost bus connections plus refused sends. It needs the cluster of <c>infra/cluster.sh</c>,
/// so it runs apart from the suite, through <c>infra/cluster-test.sh</c> (PIPELINE_CLUSTER_REPORT: a file each run
/// appends its counts to).
/// </summary>
[Collection(ServersGroup.Name)]
[Trait("Category", "Cluster")]
public sealed class ClusterNodeLossTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    private const int WorkMilliseconds = 800;
    private const string Model = "cluster-a";

    // The most inputs one host can have running when its bus connection is lost: two CPU slots (see the settings
    // below), each a container of the function pool (FunctionConcurrency 16) or of the class pool (one input); the
    // autoscaler can give both slots to the function pool when the class pool is idle, so 2 x 16, plus one to spare
    // for the class pool's input in flight as its container is evicted.
    private const int InFlightPerHost = 33;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly InputLedger _ledger = new();
    private readonly List<WorkerProcess> _workers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TaskCompletionSource[] _stages = [.. Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
    private int _inputs;

    [Fact]
    public async Task TwoHosts_NodeOfEachHostThenQuorumLeaderKilled_EveryResultRetrievableExitPerEnterHostsReconnect()
    {
        await using var cluster = await RabbitCluster.OpenAsync();
        var settings = cluster.Settings();
        settings["Pipeline__Worker__CpuSlots"] = "2";
        await StartWorkerAsync(settings);
        await StartWorkerAsync(settings);
        await using var session = await PipelineConnection.ConnectAsync(
            cluster.Options(),
            AppManifests.From(typeof(Work).Assembly),
            new PostgresResultStoreOptions { ConnectionString = servers.Postgres, Schema = servers.ResultsSchema });
        Phase("hosts and client up");

        // The losses start while the inputs are still being spawned, so each one hits busy hosts and a busy client.
        // The inputs go in three stages, a third before each of up to three losses: a node takes a minute or more to
        // come back here, and each loss must hit inputs in flight.
        var inputs = _inputs = Inputs();
        Release(0);
        var spawning = SpawnAllAsync(session.Client);
        await ProgressAsync("the start of spawning", 300);

        // The node each host's bus connection is on (whose loss stops its pools; the management API names every
        // connection by role and process), one loss at a time: a quorum queue needs two of its three members. A host
        // whose bus was on an earlier lost node has had its loss already.
        var losses = new List<Loss>();
        foreach (var worker in _workers)
        {
            if (!losses.Any(l => l.BusHosts.Contains(worker.Pid)))
            {
                if (losses.Count > 0)
                {
                    Release(1);
                    await ProgressAsync("the second stage of inputs was released", 100);
                }

                losses.Add(await LoseNodeAsync(cluster, session.Client, await BusNodeAsync(cluster, worker), $"bus of host {worker.Pid}"));
            }
        }

        Release(2);
        await ProgressAsync("the last stage of inputs was released", 100);
        var leader = await cluster.LeaderOfAsync("itest.slow");
        losses.Add(await LoseNodeAsync(cluster, session.Client, leader, "leader of itest.slow"));

        await spawning;
        Phase($"{_ledger.Calls.Count} inputs spawned");
        var unresolved = await _ledger.UnresolvedAsync(session.Client, Patience);
        Phase("every result looked up by its id");

        foreach (var worker in _workers)
        {
            worker.Signal("TERM");
        }

        var exitCodes = new List<int>();
        foreach (var worker in _workers)
        {
            exitCodes.Add(await worker.Exited.WaitAsync(Patience));
        }

        var tally = _ledger.Tally();
        var neverRan = inputs - tally.Started;
        var busLosses = losses.Sum(l => l.BusHosts.Count);
        var rerunBound = (busLosses * InFlightPerHost) + _ledger.RefusedCount;
        var modelQueue = session.Client.Cls("itest", "model").With(new { name = Model }).Queue;
        var errors = await QueueDepth.ReadAsync(cluster.AmqpUri, ["itest.slow_error", modelQueue + "_error"]);
        var report = string.Create(CultureInfo.InvariantCulture,
            $"inputs={_ledger.Calls.Count} refused-sends={_ledger.RefusedCount} lost={unresolved.Count} never-ran={neverRan} ran-twice={tally.RanTwice} cut-off={tally.CutOff} finished-twice={tally.FinishedTwice} rerun-bound={rerunBound} enters={tally.Enters} exits={tally.Exits} exits-missing={tally.Unbalanced.Count} exits-owed={losses.Sum(l => l.ExitsOwed)} error-queue={errors.Values.Sum(v => v)} host-exit-codes={string.Join(",", exitCodes)} losses=[{string.Join("; ", losses)}] seconds={_clock.Elapsed.TotalSeconds:0}");
        output.WriteLine(report);
        await InputLedger.AppendReportAsync("PIPELINE_CLUSTER_REPORT", report);

        Assert.Equal(inputs, _ledger.Calls.Count);
        Assert.True(unresolved.Count == 0, $"{unresolved.Count} input(s) have no result: {string.Join("; ", unresolved.Take(5))}");
        Assert.Equal(0, neverRan);

        // Only an input in flight on a lost bus connection runs again (or one whose send was refused and sent again).
        Assert.True(tally.RanTwice <= rerunBound, $"{tally.RanTwice} inputs ran twice, more than the {rerunBound} in flight on the {busLosses} lost bus connection(s) plus refused sends");
        Assert.All(errors, e => Assert.True(e.Value == 0, $"{e.Key} holds {e.Value} message(s)"));
        Assert.True(exitCodes.All(c => c == 0), $"hosts stopped by SIGTERM exit 0: {string.Join(",", exitCodes)}");
        Assert.True(tally.Unbalanced.Count == 0, "every container ran exit once per enter: " + string.Join("; ", tally.Unbalanced));
    }

    public void Dispose()
    {
        foreach (var worker in _workers)
        {
            worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _ledger.Dispose();
    }

    // Kills `node`, checks what each host owes for it, waits for the hosts to carry on and for the node's return.
    private async Task<Loss> LoseNodeAsync(RabbitCluster cluster, PipelineClient client, int node, string why)
    {
        var busHosts = new List<WorkerProcess>();
        var topologyHosts = new List<int>();
        foreach (var worker in _workers)
        {
            if ((await NodesOfAsync(cluster, BusName(worker))).Contains(node))
            {
                busHosts.Add(worker);
            }

            if ((await NodesOfAsync(cluster, TopologyName(worker))).Contains(node))
            {
                topologyHosts.Add(worker.Pid);
            }
        }

        // A host whose bus connection is lost stops its pools: a model container entered and not exited runs exit
        // (docs/worker-hosts.md, broker loss). Losing only the topology connection stops nothing (no MaxContainers).
        var owing = busHosts.Where(w => Open(w.Pid) > 0).ToDictionary(w => w.Pid, w => Count("exit", w.Pid));
        await cluster.KillNodeAsync(node);
        Phase($"node {node} ({why}) killed; bus of hosts [{string.Join(",", busHosts.Select(w => w.Pid))}], topology of [{string.Join(",", topologyHosts)}]");
        foreach (var worker in busHosts)
        {
            await Eventually.TrueAsync(
                async () => await NodesOfAsync(cluster, BusName(worker)) is { Count: > 0 } now && !now.Contains(node),
                Patience,
                $"host {worker.Pid}'s bus connection reconnected to a surviving node after node {node} was killed");
        }

        foreach (var (pid, exits) in owing)
        {
            try
            {
                await Eventually.TrueAsync(() => Count("exit", pid) > exits, Patience, $"host {pid}'s container ran exit after node {node}, which its bus connection was on, was killed");
            }
            catch (Exception e) when (_workers.FirstOrDefault(w => w.Pid == pid) is { } host)
            {
                // The host's own account of its pools is what tells a missed exit from a container that was not open.
                throw host.WithOutput(e);
            }
        }

        await ProgressAsync($"loss of node {node}", 150);
        await cluster.StartNodeAsync(node);
        await WaitQuorumAsync(cluster, client);
        Phase($"node {node} back, every quorum member online");
        return new Loss(node, why, [.. busHosts.Select(w => w.Pid)], topologyHosts, owing.Count);
    }

    // The one node the host's bus connection is on, once the management API lists it.
    private static async Task<int> BusNodeAsync(RabbitCluster cluster, WorkerProcess worker)
    {
        var node = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                var nodes = await NodesOfAsync(cluster, BusName(worker));
                node = nodes.Count == 1 ? nodes.Single() : 0;
                return node > 0;
            },
            Patience,
            $"the management API lists one bus connection of host {worker.Pid}");
        return node;
    }

    // A node that was just killed can make the first management API asked fail: poll again.
    private static async Task<IReadOnlySet<int>> NodesOfAsync(RabbitCluster cluster, string connection)
    {
        try
        {
            return await cluster.NodesOfConnectionAsync(connection);
        }
        catch (InvalidOperationException)
        {
            return new HashSet<int>();
        }
    }

    private static string BusName(WorkerProcess worker) => ConnectionNames.ForProcess(ConnectionNames.Bus, Environment.MachineName, worker.Pid);

    private static string TopologyName(WorkerProcess worker) => ConnectionNames.ForProcess(BrokerTopology.ConnectionName, Environment.MachineName, worker.Pid);

    // 5,000 (issue 19); PIPELINE_CLUSTER_INPUTS sets fewer (or more) for a shorter run, such as CI's.
    private static int Inputs() =>
        Environment.GetEnvironmentVariable("PIPELINE_CLUSTER_INPUTS") is { Length: > 0 } text
            ? int.TryParse(text, CultureInfo.InvariantCulture, out var n) && n >= 500
                ? n
                : throw new InvalidOperationException($"PIPELINE_CLUSTER_INPUTS='{text}' is not a whole number of at least 500 (the losses need inputs in flight); unset it for 5000.")
            : 5000;

    // Nineteen in twenty to a function, one in twenty to a class method (whose container has enter and exit hooks).
    // Input i goes once its stage (the third of the inputs it is in) is released.
    private async Task SpawnAllAsync(PipelineClient client)
    {
        var slow = client.Function("itest", "slow");
        var model = client.Cls("itest", "model").With(new { name = Model }).Method("slow");
        await Task.Yield();
        await Parallel.ForEachAsync(Enumerable.Range(0, _inputs), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            var tag = _ledger.Tag(i);
            await _stages[Stage(i)].Task.WaitAsync(token);

            // A send the client refuses while its node is lost (BrokerUnavailableException after SendTimeout) was
            // reported to its caller, who sends again, as a user would: counted, not lost.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _ledger.Spawned(tag, i % 20 == 0
                        ? await model.SpawnAsync([tag, WorkMilliseconds], token)
                        : await slow.SpawnAsync([tag, WorkMilliseconds], token));
                    return;
                }
                catch (Exception e) when (attempt < 5 && e is not OperationCanceledException)
                {
                    _ledger.Refused(e);
                }
            }
        });
    }

    // Both pool queues, before the next loss: with a member still catching up, a second loss would leave no majority.
    private static async Task WaitQuorumAsync(RabbitCluster cluster, PipelineClient client)
    {
        await cluster.WaitAllMembersOnlineAsync("itest.slow", Patience);
        await cluster.WaitAllMembersOnlineAsync(client.Cls("itest", "model").With(new { name = Model }).Queue, Patience);
    }

    private async Task StartWorkerAsync(Dictionary<string, string> settings)
    {
        var worker = WorkerProcess.Start(servers, _ledger.Events.Directory, settings);
        _workers.Add(worker);
        await worker.WaitForOutputAsync("listening for pool notices", TimeSpan.FromMinutes(3));
    }

    private int Stage(int input) => input * _stages.Length / _inputs;

    // Releases stages 0 to `stage`.
    private void Release(int stage)
    {
        for (var k = 0; k <= stage; k++)
        {
            _stages[k].TrySetResult();
        }
    }

    // The inputs whose stage is released (spawned or about to be).
    private int Released() => Enumerable.Range(0, _inputs).Count(i => _stages[Stage(i)].Task.IsCompleted);

    // Waits until `count` more inputs of this run finished, so each loss hits hosts that are busy and serving.
    private async Task ProgressAsync(string after, int count)
    {
        var done = _ledger.Finished();
        // Only released inputs can finish: fewer than `count` may be left.
        await Eventually.TrueAsync(
            () => _ledger.Finished() >= Math.Min(done + count, Released()),
            Patience,
            $"inputs kept finishing after the {after} ({_ledger.Calls.Count} spawned, {_ledger.RefusedCount} sends refused and sent again)");
        Phase($"{after}: {_ledger.Finished()} finished");
    }

    private int Count(string kind, int pid) => _ledger.Events.Read().Count(e => e.Kind == kind && e.Pid == pid);

    private int Open(int pid) => Count("enter", pid) - Count("exit", pid);

    private sealed record Loss(int Node, string Why, IReadOnlyList<int> BusHosts, IReadOnlyList<int> TopologyHosts, int ExitsOwed)
    {
        public override string ToString() =>
            $"node {Node} ({Why}; bus of [{string.Join("+", BusHosts)}], topology of [{string.Join("+", TopologyHosts)}])";
    }

    private void Phase(string name) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {name}");
}
