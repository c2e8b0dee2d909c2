using System.Globalization;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.IntegrationTests.Metrics;
using Pipeline.Messages.Naming;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// A pool's endpoint admits more inputs than its containers run (their result-store round trips overlap), on a real
/// worker process with RabbitMQ and PostgreSQL: user code never runs more inputs at once than the pool's concurrency,
/// and a host that stops returns the admitted inputs still waiting for a turn to the queue at once, unrun.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class AdmissionTests(Servers servers) : IDisposable
{
    private const int Inputs = 12;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly string Queue = QueueNames.ForFunction("itest", "counted");
    private readonly EventLog _events = new();
    private readonly string _run = "admit-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task SpawnedInputs_PoolRunsTwoAtOnce_HostAdmitsAllTwelveAndUserCodeNeverRunsMoreThanTwo()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, TwoAtOnce());
        using var http = HealthHttp.Client(await worker.HealthAddressAsync(Patience));
        await using var session = await TestClient.StartAsync(servers);
        var calls = await SpawnAsync(session.Client);

        // Before admission beyond concurrency the endpoint took only the two that run; the other ten stayed in the queue.
        await AdmittedAsync(http, Inputs);
        await Eventually.TrueAsync(() => Starts().Count == 2, Patience, "two inputs running");
        Assert.Equal(2, Starts().Count);

        servers.OpenGate(_run);
        await ExpectRepliesAsync(calls);

        var starts = Starts();
        Assert.Equal(Inputs, starts.Select(s => s.Input).Distinct().Count());
        Assert.Equal(Inputs, starts.Count);
        Assert.Equal(2, starts.Max(s => s.Running));
    }

    [Fact]
    public async Task Sigterm_AdmittedInputsWaitingForATurn_AreGivenBackUnrunAndEachRunsOnceOnAnotherHost()
    {
        // A minute of grace: the two running inputs stay on the stopping host until the test opens their gate.
        var settings = new Dictionary<string, string>(TwoAtOnce()) { ["Pipeline__Worker__ExitGracePeriod"] = "00:01:00" };
        await using var first = await WorkerProcess.StartReadyAsync(servers, _events.Directory, settings);
        using var http = HealthHttp.Client(await first.HealthAddressAsync(Patience));
        await using var session = await TestClient.StartAsync(servers);
        var calls = await SpawnAsync(session.Client);
        await AdmittedAsync(http, Inputs);
        await Eventually.TrueAsync(() => Starts().Count == 2, Patience, "two inputs running");

        first.Signal("TERM");

        // The ten that waited for a turn are given back at once, unrun (MassTransit returns them to the queue when the
        // stopping host's channel closes); the host keeps running the two that hold turns.
        await first.WaitForOutputAsync($"{Inputs - 2} input(s) waiting for a turn given back to the queue, not run here", Patience);
        Assert.Equal(2, Starts().Count);
        Assert.False(first.Exited.IsCompleted, "The host exited before its running inputs ended: the test proved nothing.");

        servers.OpenGate(_run);
        Assert.Equal(0, await first.Exited.WaitAsync(Patience));
        await using var second = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var replies = await ExpectRepliesAsync(calls);

        // Each input ran once: the two on the first host, the ten it gave back on the second.
        var starts = Starts();
        Assert.Equal(Inputs, starts.Count);
        Assert.Equal(Inputs, starts.Select(s => s.Input).Distinct().Count());
        Assert.Equal(2, replies.Count(r => r.Pid == first.Pid));
        Assert.Equal(Inputs - 2, replies.Count(r => r.Pid == second.Pid));
        Assert.Equal(0u, await DeadLettersAsync());
    }

    public void Dispose() => _events.Dispose();

    // Two inputs at a time in one container (counted has MaxContainers = 1): the endpoint's prefetch (200) is far above
    // what runs.
    private static Dictionary<string, string> TwoAtOnce() => new()
    {
        ["Pipeline__Worker__FunctionConcurrency"] = "2",
    };

    private async Task<List<(FunctionCall Call, string Tag)>> SpawnAsync(PipelineClient client)
    {
        var counted = client.Function("itest", "counted");
        var calls = new List<(FunctionCall Call, string Tag)>();
        for (var i = 0; i < Inputs; i++)
        {
            calls.Add((await counted.SpawnAsync([_run, i]), $"{_run}-{i}"));
        }

        return calls;
    }

    private static async Task<List<Reply>> ExpectRepliesAsync(List<(FunctionCall Call, string Tag)> calls)
    {
        var replies = new List<Reply>();
        foreach (var (call, tag) in calls)
        {
            var reply = await call.GetAsync<Reply>(Patience);
            Assert.Equal(tag, reply.Tag);
            replies.Add(reply);
        }

        return replies;
    }

    // Each start the app wrote: which input, and how many ran in its process at that moment (itself included).
    private List<(string Input, int Running)> Starts() => [.. _events.Read()
        .Where(e => e.Kind == "counted-start" && e.Subject.StartsWith(_run + "-", StringComparison.Ordinal))
        .Select(e => e.Subject.Split('/'))
        .Select(parts => (parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture)))];

    // The host's own count of the pool's inputs it holds (running, waiting for a turn, or on the result store).
    private static async Task AdmittedAsync(HttpClient http, int expected)
    {
        var last = "";
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    using var response = await http.GetAsync(new Uri("metrics", UriKind.Relative));
                    response.EnsureSuccessStatusCode();
                    last = await response.Content.ReadAsStringAsync();
                    return new PrometheusText(last).Values("pipeline_pool_in_flight", ("pipeline_queue", Queue)).Sum() == expected;
                },
                Patience,
                $"{expected} inputs held by the host");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} Last scrape:{Environment.NewLine}{string.Join(Environment.NewLine, last.Split('\n').Where(l => l.Contains("in_flight", StringComparison.Ordinal)))}");
        }
    }

    private async Task<uint> DeadLettersAsync() =>
        (await QueueDepth.ReadAsync(servers.RabbitMq, [Queue + "_error"]))[Queue + "_error"];
}
