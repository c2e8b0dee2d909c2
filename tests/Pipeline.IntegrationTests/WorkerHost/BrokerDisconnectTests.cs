using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// A graceful broker disconnect (<c>rabbitmqctl close_all_connections</c>, here limited to the run's own virtual host)
/// while a worker host is busy in several pools: each container runs <c>exit</c>, a fresh one runs <c>enter</c>, and
/// every spawned call still resolves (docs/worker-hosts.md, "Stopping, preemption, broker loss").
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class BrokerDisconnectTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task CloseConnections_BusyHostSeveralPools_EachContainerRunsExitThenFreshContainersEnterAndEveryCallResolves()
    {
        const int PerModel = 10;
        const int Functions = 40;
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var names = Enumerable.Range(0, 3).Select(i => $"{_run}-m{i}").ToList();
        var calls = new List<FunctionCall>();
        foreach (var name in names)
        {
            var slow = session.Client.Cls("itest", "model").With(new { name }).Method("slow");
            for (var i = 0; i < PerModel; i++)
            {
                // 50 s of work per pool, 5 s an input: the autoscaler runs a model's inputs on several containers at once,
                // and each input still runs when the close lands on a loaded machine.
                calls.Add(await slow.SpawnAsync([$"{name}-p{i}", 5000]));
            }
        }

        var tags = Enumerable.Range(0, Functions).Select(i => $"{_run}-f{i}").ToList();
        foreach (var tag in tags)
        {
            calls.Add(await session.Client.Function("itest", "slow").SpawnAsync([tag, 1500]));
        }

        // Every pool has started: each model container ran an input, and function inputs are in flight. A model whose
        // inputs all ran before the last one started (its containers can run all ten at once) has nothing left to
        // redeliver, so the checks below are for the models running an input when the connections close; the last
        // model to start is one of them.
        await Eventually.TrueAsync(
            () => names.All(n => _events.Count("slow-start", Subject(n)) >= 1) && tags.Any(t => _events.Count("slow-start", t) >= 1),
            Patience,
            "every pool was running an input");
        var atClose = _events.Read();
        var busy = names.Where(n => Running(atClose, n) > 0).ToList();
        var closed = await servers.CloseConnectionsAsync(_ => true, worker.Pid);
        Assert.True(closed > 0, "the run's virtual host had connections to close");
        Assert.NotEmpty(busy);
        output.WriteLine($"models running an input at the close: {string.Join(", ", busy)}");

        try
        {
            foreach (var name in busy)
            {
                await Eventually.TrueAsync(() => Lifecycle(name, atClose.Count).SkipWhile(k => k != "exit").Contains("enter"), Patience, $"a fresh container of {name} entered after the disconnect");
            }
        }
        catch (Exception e)
        {
            // The host's own account of its pools tells a pool never restarted from a container that got no input.
            throw worker.WithOutput(e);
        }

        var replies = await Task.WhenAll(calls.Select(c => c.GetAsync<Reply>(Patience)));
        Assert.Equal(calls.Count, replies.Length);
        Assert.All(replies, r => Assert.Equal(worker.Pid, r.Pid));
        Assert.False(worker.Exited.IsCompleted, "the host kept running");
        foreach (var name in busy)
        {
            // In the order the containers wrote them, from the close on: each container open at the close runs exit, and
            // a fresh container enters after it.
            var open = atClose.Count(e => e.Subject == Subject(name) && e.Kind == "enter") - atClose.Count(e => e.Subject == Subject(name) && e.Kind == "exit");
            var lifecycle = Lifecycle(name, atClose.Count);
            var described = $"{name}: {open} container(s) open at the close, then {string.Join(",", lifecycle)}";
            Assert.True(open >= 1 && lifecycle.Count(k => k == "exit") >= open, described);
            Assert.True(lifecycle.SkipWhile(k => k != "exit").Contains("enter"), described);
        }

        var pools = names.Select(n => session.Client.Cls("itest", "model").With(new { name = n }).Queue).Append("itest.slow").ToList();
        var errors = await QueueDepth.ReadAsync(servers.RabbitMq, pools.Select(p => p + "_error"));
        Assert.All(errors, e => Assert.True(e.Value == 0, $"{e.Key} holds {e.Value} message(s)"));

        var starts = names.Sum(n => _events.Count("slow-start", Subject(n))) + tags.Sum(t => _events.Count("slow-start", t));
        output.WriteLine($"{calls.Count} calls, {starts} starts: {starts - calls.Count} ran again after the disconnect (cancelled in flight, redelivered)");
        Assert.True(starts >= calls.Count);
    }

    public void Dispose() => _events.Dispose();

    private static string Subject(string name) => $"model/{name}/1";

    // The model's enters and exits, in the order written, from the events' index `from` on.
    private List<string> Lifecycle(string name, int from) =>
        _events.Read().Skip(from).Where(e => e.Subject == Subject(name) && e.Kind is "enter" or "exit").Select(e => e.Kind).ToList();

    // The model's inputs that had started and not ended by then.
    private static int Running(IReadOnlyList<(string Kind, string Subject, int Pid)> events, string name)
    {
        var prompts = events.Where(e => e.Subject.StartsWith(name + "-p", StringComparison.Ordinal)).ToList();
        return prompts.Count(e => e.Kind == "method-start") - prompts.Count(e => e.Kind == "method-end");
    }
}
