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
/// The release gate of docs/worker-hosts.md: two worker host processes serve spawned calls (results stored) while one
/// host is SIGKILLed, one gets SIGTERM, the broker closes every connection, the broker stops and starts, and PostgreSQL
/// restarts. Every call resolves by its own id, nothing is in <c>_error</c>, and every container of a host that was not
/// SIGKILLed ran <c>exit</c> once per <c>enter</c>. The broker and the database are private servers of this test (the
/// shared ones are never stopped). It reports lost and double executions; set PIPELINE_CHAOS_REPORT to a file to have
/// each run append its counts. It runs apart from the suite (infra/test.sh calls infra/chaos.sh once): its servers alone
/// take a minute to start on a loaded 2-core machine.
/// </summary>
[Collection(ServersGroup.Name)]
[Trait("Category", "Chaos")]
public sealed class ChaosTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);
    private readonly InputLedger _ledger = new();
    private readonly List<WorkerProcess> _workers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task TwoHosts_KillTermDisconnectBrokerRestartDatabaseRestart_EveryCallResolvesNothingDeadLetteredExitPerEnter()
    {
        await using var broker = await PrivateRabbitMq.StartAsync();
        await using var database = await PrivatePostgres.StartAsync();
        Phase("servers up");
        var settings = new Dictionary<string, string>
        {
            ["Pipeline__RabbitMq__ConnectionString"] = broker.AmqpUri,
            ["Pipeline__RabbitMq__ManagementUri"] = broker.ManagementUri.ToString(),
            ["Pipeline__Results__ConnectionString"] = database.ConnectionString,
        };
        var first = await StartWorkerAsync(settings);
        var second = await StartWorkerAsync(settings);
        await using var session = await PipelineConnection.ConnectAsync(
            new RabbitMqOptions { ConnectionString = broker.AmqpUri, ManagementUri = broker.ManagementUri },
            AppManifests.From(typeof(Work).Assembly),
            new PostgresResultStoreOptions { ConnectionString = database.ConnectionString, Schema = servers.ResultsSchema });
        Phase("hosts and client up");

        using var stop = new CancellationTokenSource();
        var producer = ProduceAsync(session.Client, stop.Token);
        await ProgressAsync("warm-up");

        first.Kill();
        await first.Exited.WaitAsync(Patience);
        var killed = first.Pid;
        await StartWorkerAsync(settings);
        await ProgressAsync("SIGKILL of one host");

        second.Signal("TERM");
        Assert.Equal(0, await second.Exited.WaitAsync(Patience));
        await StartWorkerAsync(settings);
        await ProgressAsync("SIGTERM of one host");

        var exits = Count("exit");
        Assert.True(await broker.CloseAllConnectionsAsync() > 0, "the broker had connections to close");

        await Eventually.TrueAsync(() => Count("exit") > exits, Patience, "containers ran exit after the broker closed the connections");
        await ProgressAsync("close_all_connections");

        exits = Count("exit");
        await broker.StopAppAsync();
        await Task.Delay(Outage); // the outage itself, not a wait for a condition
        await broker.StartAppAsync();
        await Eventually.TrueAsync(() => Count("exit") > exits, Patience, "containers ran exit after the broker stopped");
        await ProgressAsync("broker stop and start");

        await database.RestartAsync(Outage);
        await ProgressAsync("PostgreSQL restart");

        await stop.CancelAsync();
        await producer;
        var unresolved = await _ledger.UnresolvedAsync(session.Client, Patience);

        Phase("every call looked up");

        // The live hosts stop the way an operator stops them, so that every container they entered owes its exit.
        var live = _workers.Where(w => !w.Exited.IsCompleted).ToList();
        foreach (var worker in live)
        {
            worker.Signal("TERM");
        }

        var exitCodes = new List<int>();
        foreach (var worker in live)
        {
            exitCodes.Add(await worker.Exited.WaitAsync(Patience));
        }

        var tally = _ledger.Tally(new HashSet<int> { killed });
        var errors = await QueueDepth.ReadAsync(broker.AmqpUri, ["itest.slow_error", .. Models.Select(m => session.Client.Cls("itest", "model").With(new { name = m }).Queue + "_error")]);
        var calls = _ledger.Calls.Count;
        var report = string.Create(CultureInfo.InvariantCulture,
            $"calls={calls} lost={unresolved.Count} refused-sends={_ledger.RefusedCount} ({_ledger.RefusedKinds}) ran-twice={tally.RanTwice} finished-twice={tally.FinishedTwice} enters={tally.Enters} exits={tally.Exits} exits-missing={tally.Unbalanced.Count} error-queue={errors.Values.Sum(v => v)} host-exit-codes={string.Join(",", exitCodes)} seconds={_clock.Elapsed.TotalSeconds:0}");
        output.WriteLine(report);
        await InputLedger.AppendReportAsync("PIPELINE_CHAOS_REPORT", report);

        Assert.True(exitCodes.All(c => c == 0), $"hosts stopped by SIGTERM exit 0: {string.Join(",", exitCodes)}");
        Assert.True(unresolved.Count == 0, $"{unresolved.Count} call(s) did not resolve: {string.Join("; ", unresolved.Take(5))}");
        Assert.All(errors, e => Assert.True(e.Value == 0, $"{e.Key} holds {e.Value} message(s)"));
        Assert.True(tally.Unbalanced.Count == 0, "every container of a host that was not SIGKILLed ran exit once per enter: " + string.Join("; ", tally.Unbalanced));
        Assert.True(calls > 100, $"only {calls} calls were spawned");
    }

    public void Dispose()
    {
        foreach (var worker in _workers)
        {
            worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _ledger.Dispose();
    }

    private static readonly string[] Models = ["chaos-a", "chaos-b"];

    // Spawns an input every 50 ms (three in four to a function, one to a class method) until stopped. A send the client refuses
    // (broker or database unreachable past its timeout) is counted, not lost: its caller was told.
    private async Task ProduceAsync(PipelineClient client, CancellationToken stop)
    {
        var slow = client.Function("itest", "slow");
        var models = Models.Select(m => client.Cls("itest", "model").With(new { name = $"{m}" }).Method("slow")).ToList();
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var i = 0;
        try
        {
            while (await pace.WaitForNextTickAsync(stop))
            {
                var tag = _ledger.Tag(i);
                try
                {
                    var call = i % 4 == 0
                        ? await models[i / 4 % models.Count].SpawnAsync([tag, 100], stop)
                        : await slow.SpawnAsync([tag, 100], stop);
                    _ledger.Spawned(tag, call);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    _ledger.Refused(e);
                }

                i++;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task<WorkerProcess> StartWorkerAsync(Dictionary<string, string> settings)
    {
        // Generous: a host starting on a loaded 2-core machine while two others work took over a minute.
        var worker = WorkerProcess.Start(servers, _ledger.Events.Directory, settings);
        _workers.Add(worker);
        await worker.WaitForOutputAsync("listening for pool notices", TimeSpan.FromMinutes(3));
        return worker;
    }

    // Waits until 20 more inputs of this run finished, so each fault hits hosts that are busy and serving.
    private async Task ProgressAsync(string after)
    {
        var done = _ledger.Finished();
        await Eventually.TrueAsync(() => _ledger.Finished() >= done + 20, Patience, $"inputs kept finishing after the {after}");
        Phase(after);
    }

    private int Count(string kind) => _ledger.Events.Read().Count(e => e.Kind == kind);

    private void Phase(string name) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {name}");
}
