using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Results;
using Xunit.Abstractions;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// Node loss on a three-node RabbitMQ cluster with quorum pool queues (docs/operations.md): two worker host processes
/// work through 5,000 spawned inputs (results in the shared PostgreSQL) while the test SIGKILLs the node each host is
/// connected to (one at a time, each started again before the next loss), then the node holding the pool queue's
/// quorum leader. Every input's result is retrievable by its own id, nothing is in <c>_error</c>, each host ran
/// <c>exit</c> after losing its node (docs/worker-hosts.md, broker disconnect) and once per <c>enter</c> overall, and
/// reconnected to a surviving node. Inputs in flight on a lost connection are redelivered and run again: counted as
/// "ran twice". It needs the cluster of <c>infra/cluster.sh</c>, so it runs apart from the suite, through
/// <c>infra/cluster-test.sh</c> (PIPELINE_CLUSTER_REPORT: a file each run appends its counts to).
/// </summary>
[Collection(ServersGroup.Name)]
[Trait("Category", "Cluster")]
public sealed class ClusterNodeLossTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    private const int Inputs = 5000;
    private const int WorkMilliseconds = 800;
    private const string Model = "cluster-a";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<WorkerProcess> _workers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<string> _refused = new();
    private int _spawned;
    private volatile bool _spawningDone;

    [Fact]
    public async Task TwoHosts_NodeOfEachHostThenQuorumLeaderKilled_EveryResultRetrievableExitPerEnterHostsReconnect()
    {
        await using var cluster = await RabbitCluster.OpenAsync();
        var settings = cluster.Settings();
        await StartWorkerAsync(settings);
        await StartWorkerAsync(settings);
        await using var session = await PipelineConnection.ConnectAsync(
            cluster.Options(),
            AppManifests.From(typeof(Work).Assembly),
            new PostgresResultStoreOptions { ConnectionString = servers.Postgres, Schema = servers.ResultsSchema });
        Phase("hosts and client up");

        // The losses start while the inputs are still being spawned, so each one hits busy hosts and a busy client.
        var spawning = SpawnAllAsync(session.Client);
        await ProgressAsync("the start of spawning", 300);

        // The node each host is connected to, one loss at a time: a quorum queue needs two of its three members.
        var hostNodes = new SortedSet<int>();
        foreach (var worker in _workers)
        {
            var nodes = await cluster.NodesOfProcessAsync(worker.Pid);
            Assert.True(nodes.Count > 0, $"host {worker.Pid} holds an AMQP connection to a cluster node");
            hostNodes.UnionWith(nodes);
        }

        var losses = new List<string>();
        var exitsOnLoss = 0;
        foreach (var node in hostNodes)
        {
            var hit = new List<WorkerProcess>();
            foreach (var worker in _workers)
            {
                if ((await cluster.NodesOfProcessAsync(worker.Pid)).Contains(node))
                {
                    hit.Add(worker);
                }
            }

            // A host whose model container is entered and not exited owes an exit for this loss.
            var owing = hit.Where(w => Open(w.Pid) > 0).ToDictionary(w => w.Pid, w => Count("exit", w.Pid));
            await cluster.KillNodeAsync(node);
            losses.Add($"node {node} (hosts {string.Join("+", hit.Select(w => w.Pid))})");
            foreach (var worker in hit)
            {
                await Eventually.TrueAsync(
                    async () => await cluster.NodesOfProcessAsync(worker.Pid) is { Count: > 0 } now && !now.Contains(node),
                    Patience,
                    $"host {worker.Pid} reconnected to a surviving node after node {node} was killed");
            }

            foreach (var (pid, exits) in owing)
            {
                await Eventually.TrueAsync(() => Count("exit", pid) > exits, Patience, $"host {pid}'s container ran exit after node {node}, which the host was connected to, was killed");
            }

            exitsOnLoss += owing.Count;

            await ProgressAsync($"loss of node {node}", 150);
            await cluster.StartNodeAsync(node);
            await WaitQuorumAsync(cluster, session.Client);
            Phase($"node {node} back, every quorum member online");
        }

        var leader = await cluster.LeaderOfAsync("itest.slow");
        await cluster.KillNodeAsync(leader);
        losses.Add($"node {leader} (leader of itest.slow)");
        await ProgressAsync($"loss of the quorum leader, node {leader}", 150);
        await cluster.StartNodeAsync(leader);
        await WaitQuorumAsync(cluster, session.Client);
        Phase($"node {leader} back, every quorum member online");

        var calls = await spawning;
        Phase($"{calls.Count} inputs spawned");
        var outcomes = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (call, _) =>
        {
            if (await ResolveAsync(session.Client, call.Id) is { } failure)
            {
                outcomes.Add(failure);
            }
        });
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

        var events = _events.Read();
        var starts = events.Where(e => e.Kind is "slow-start" or "method-start" && e.Subject.StartsWith(_run, StringComparison.Ordinal))
            .GroupBy(e => e.Subject).ToDictionary(g => g.Key, g => g.Count());
        var ranTwice = starts.Values.Sum(n => n - 1);
        var neverRan = calls.Count - starts.Count;
        var enters = events.Count(e => e.Kind == "enter");
        var exitsTotal = events.Count(e => e.Kind == "exit");
        var unbalanced = events.Where(e => e.Kind is "enter" or "exit")
            .GroupBy(e => (e.Pid, e.Subject))
            .Where(g => g.Count(e => e.Kind == "enter") != g.Count(e => e.Kind == "exit"))
            .Select(g => $"{g.Key.Subject} in {g.Key.Pid}: {g.Count(e => e.Kind == "enter")} enter, {g.Count(e => e.Kind == "exit")} exit")
            .ToList();
        var modelQueue = session.Client.Cls("itest", "model").With(new { name = Model }).Queue;
        var errors = await QueueDepth.ReadAsync(cluster.AmqpUri, ["itest.slow_error", modelQueue + "_error"]);
        var report = string.Create(CultureInfo.InvariantCulture,
            $"inputs={calls.Count} refused-sends={_refused.Count} lost={outcomes.Count} never-ran={neverRan} ran-twice={ranTwice} enters={enters} exits={exitsTotal} exits-missing={unbalanced.Count} exits-on-loss={exitsOnLoss} error-queue={errors.Values.Sum(v => v)} host-exit-codes={string.Join(",", exitCodes)} losses=[{string.Join("; ", losses)}] seconds={_clock.Elapsed.TotalSeconds:0}");
        output.WriteLine(report);
        if (Environment.GetEnvironmentVariable("PIPELINE_CLUSTER_REPORT") is { Length: > 0 } file)
        {
            await File.AppendAllTextAsync(file, report + Environment.NewLine);
        }

        Assert.True(outcomes.IsEmpty, $"{outcomes.Count} input(s) have no result: {string.Join("; ", outcomes.Take(5))}");
        Assert.Equal(0, neverRan);
        Assert.All(errors, e => Assert.True(e.Value == 0, $"{e.Key} holds {e.Value} message(s)"));
        Assert.True(exitCodes.All(c => c == 0), $"hosts stopped by SIGTERM exit 0: {string.Join(",", exitCodes)}");
        Assert.True(unbalanced.Count == 0, "every container ran exit once per enter: " + string.Join("; ", unbalanced));
    }

    public void Dispose()
    {
        foreach (var worker in _workers)
        {
            worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _events.Dispose();
    }

    // Nineteen in twenty to a function, one in twenty to a class method (whose container has enter and exit hooks).
    private async Task<List<FunctionCall>> SpawnAllAsync(PipelineClient client)
    {
        var slow = client.Function("itest", "slow");
        var model = client.Cls("itest", "model").With(new { name = Model }).Method("slow");
        var calls = new FunctionCall[Inputs];
        await Task.Yield();
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Inputs), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
            {
                var tag = $"{_run}-{i.ToString(CultureInfo.InvariantCulture)}";

                // A send the client refuses while its node is lost (BrokerUnavailableException after SendTimeout) was
                // reported to its caller, who sends again, as a user would: counted, not lost.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        calls[i] = i % 20 == 0
                            ? await model.SpawnAsync([tag, WorkMilliseconds], token)
                            : await slow.SpawnAsync([tag, WorkMilliseconds], token);
                        Interlocked.Increment(ref _spawned);
                        return;
                    }
                    catch (Exception e) when (attempt < 5 && e is not OperationCanceledException)
                    {
                        _refused.Enqueue(e.GetType().Name);
                    }
                }
            });
        }
        finally
        {
            _spawningDone = true;
        }

        return [.. calls];
    }

    // Both pool queues, before the next loss: with a member still catching up, a second loss would leave no majority.
    private static async Task WaitQuorumAsync(RabbitCluster cluster, PipelineClient client)
    {
        await cluster.WaitAllMembersOnlineAsync("itest.slow", Patience);
        await cluster.WaitAllMembersOnlineAsync(client.Cls("itest", "model").With(new { name = Model }).Queue, Patience);
    }

    // Null when the call succeeded; otherwise what happened to it.
    private static async Task<string?> ResolveAsync(PipelineClient client, string id)
    {
        try
        {
            await client.Call(id).GetAsync<Reply>(Patience);
            return null;
        }
        catch (Exception e)
        {
            return $"{id}: {e.GetType().Name}: {e.Message}";
        }
    }

    private async Task StartWorkerAsync(Dictionary<string, string> settings)
    {
        var worker = WorkerProcess.Start(servers, _events.Directory, settings);
        _workers.Add(worker);
        await worker.WaitForOutputAsync("listening for pool notices", TimeSpan.FromMinutes(3));
    }

    // Waits until `count` more inputs of this run finished, so each loss hits hosts that are busy and serving.
    private async Task ProgressAsync(string after, int count)
    {
        var done = Finished();
        // Once every input is sent, fewer than `count` may be left.
        await Eventually.TrueAsync(
            () => Finished() >= (_spawningDone ? Math.Min(done + count, Volatile.Read(ref _spawned)) : done + count),
            Patience,
            $"inputs kept finishing after the {after} ({Volatile.Read(ref _spawned)} spawned, {_refused.Count} sends refused and sent again)");
        Phase($"{after}: {Finished()} finished");
    }

    private int Finished() => _events.Read().Count(e => e.Kind is "slow-end" or "method-end" && e.Subject.StartsWith(_run, StringComparison.Ordinal));

    private int Count(string kind, int pid) => _events.Read().Count(e => e.Kind == kind && e.Pid == pid);

    private int Open(int pid) => Count("enter", pid) - Count("exit", pid);

    private void Phase(string name) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {name}");
}
