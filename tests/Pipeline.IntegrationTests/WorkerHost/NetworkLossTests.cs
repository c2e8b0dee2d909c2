using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.RabbitMq;
using Pipeline.Results;
using Xunit.Abstractions;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// An abrupt network loss (issue 19, item 3): a worker host runs in a network namespace of the test's own, with a 2 s
/// heartbeat, against a private RabbitMQ node and PostgreSQL server that listen on the namespace's veth address. The
/// link is taken down mid-input (no TCP close reaches either side), and the test checks that the host notices by its
/// heartbeat alone (while the link is still down), runs <c>exit</c>, reconnects when the link is up again, and that the
/// caller gets the input's result, recorded once. It needs root, and fails with the machine's error where network
/// namespaces are refused. It runs apart from the suite (Category=NetNs, infra/netns-test.sh) because its two private
/// servers take most of a minute to start on a loaded 2-core machine. Set PIPELINE_NETNS_REPORT to a file to have each
/// run append its counts and timings.
/// </summary>
[Collection(ServersGroup.Name)]
[Trait("Category", "NetNs")]
public sealed class NetworkLossTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    // Longer than the host takes to notice the loss (about 8 s with a 2 s heartbeat here), so the loss lands mid-input.
    private const int InputMilliseconds = 15000;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _phases = [];

    [Fact]
    public async Task CutLinkMidInput_HostInNamespace_NoticesByHeartbeatRunsExitReconnectsAndTheCallCompletesOnce()
    {
        await using var network = await NetworkNamespace.CreateAsync();
        await using var broker = await PrivateRabbitMq.StartAsync(network.HostAddress);
        await using var database = await PrivatePostgres.StartAsync(
            settings: [$"listen_addresses = '127.0.0.1,{network.HostAddress}'"],
            clientAuthentication: [$"host all all {network.NamespaceAddress}/32 trust"]);
        Phase("namespace and servers up");

        var port = broker.Port.ToString(CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string>
        {
            ["Pipeline__RabbitMq__ConnectionString"] = $"amqp://guest:guest@{network.HostAddress}:{port}/",
            ["Pipeline__RabbitMq__ManagementUri"] = broker.ManagementUri.ToString(),
            ["Pipeline__RabbitMq__Heartbeat"] = Heartbeat.ToString(),
            ["Pipeline__Results__ConnectionString"] = database.ConnectionString.Replace("Host=127.0.0.1", $"Host={network.HostAddress}", StringComparison.Ordinal),
        };
        await using var worker = WorkerProcess.Start(servers, _events.Directory, settings, launcher: network.Launcher);
        await worker.WaitForOutputAsync("listening for pool notices", Patience);
        Phase("host in the namespace connected");

        await using var session = await PipelineConnection.ConnectAsync(
            new RabbitMqOptions { ConnectionString = broker.AmqpUri, ManagementUri = broker.ManagementUri },
            AppManifests.From(typeof(Work).Assembly),
            new PostgresResultStoreOptions { ConnectionString = database.ConnectionString, Schema = servers.ResultsSchema });
        var tag = $"{_run}-input";
        var subject = $"model/{_run}/1";
        var call = await session.Client.Cls("itest", "model").With(new { name = _run }).Method("slow").SpawnAsync([tag, InputMilliseconds]);
        await Eventually.TrueAsync(() => _events.Count("method-start", tag) >= 1, Patience, "the input started in the host in the namespace");
        Phase("input running");

        // Every connection from the namespace asked for the configured heartbeat, and the broker agreed.
        // The management API lists a connection only after its next statistics round (up to 5 s): poll, bounded.
        List<int> heartbeats = [];
        await Eventually.TrueAsync(
            async () => (heartbeats = (await ConnectionsAsync(broker)).Where(c => c.PeerHost == network.NamespaceAddress.ToString()).Select(c => c.Timeout).ToList()).Count > 0,
            Patience,
            "the host's connections come from the namespace's address");
        Assert.All(heartbeats, t => Assert.Equal((int)Heartbeat.TotalSeconds, t));

        await network.CutAsync();
        var cut = _clock.Elapsed;
        Phase("link down");

        // While the link is down nothing can close a socket: the host can only learn of the loss by missed heartbeats.
        // Either connection may miss its heartbeats first: the bus's (the pool's endpoint is lost) or the topology
        // connection's, which holds every container's lease (the pool stops because its lease is lost). Both end the
        // containers with exit, as a broker disconnect does.
        await Eventually.TrueAsync(
            () => worker.Count("Broker connection lost for pool") + worker.Count("stopping: lease lost") > 0,
            Patience,
            "the host logged the broker loss (its endpoint or its leases)");
        var noticed = _clock.Elapsed - cut;
        Phase("host noticed the loss");
        await Eventually.TrueAsync(() => _events.Count("exit", subject) >= 1, Patience, "the container ran exit while the link was down");
        var exited = _clock.Elapsed - cut;
        Phase("exit ran");
        var noticesBefore = worker.Count("listening for pool notices");

        await network.RestoreAsync();
        var restored = _clock.Elapsed;
        Phase("link up");
        await Eventually.TrueAsync(() => worker.Count("listening for pool notices") > noticesBefore, Patience, "the host reconnected after the link came back");
        var reconnected = _clock.Elapsed - restored;
        Phase("host reconnected");

        var reply = await call.GetAsync<Reply>(Patience);
        Phase("result retrieved");
        Assert.Equal($"{_run}:{tag}", reply.Tag);
        Assert.Equal(worker.Pid, reply.Pid);

        var stored = await StoredOutcomesAsync(database, call.Id);
        var starts = _events.Count("method-start", tag);
        var ends = _events.Count("method-end", tag);
        var enters = _events.Count("enter", subject);
        var exits = _events.Count("exit", subject);
        var errors = await QueueDepth.ReadAsync(broker.AmqpUri, [session.Client.Cls("itest", "model").With(new { name = _run }).Queue + "_error"]);
        var report = string.Create(CultureInfo.InvariantCulture,
            $"noticed-after={noticed.TotalSeconds:0.0}s exit-after={exited.TotalSeconds:0.0}s reconnected-after={reconnected.TotalSeconds:0.0}s heartbeat={Heartbeat.TotalSeconds:0}s stored-outcomes={stored.Count} outcome={string.Join(",", stored).Replace(' ', '-')} starts={starts} ends={ends} enters={enters} exits={exits} error-queue={errors.Values.Sum(v => v)} seconds={_clock.Elapsed.TotalSeconds:0}");
        output.WriteLine(report);
        output.WriteLine(string.Join(Environment.NewLine, _phases));
        if (Environment.GetEnvironmentVariable("PIPELINE_NETNS_REPORT") is { Length: > 0 } file)
        {
            await File.AppendAllTextAsync(file, report + Environment.NewLine);
        }

        Assert.Equal("Succeeded", Assert.Single(stored).Split(' ')[0]);
        Assert.True(starts >= 1, "the input ran");
        Assert.True(enters >= 2, $"a fresh container entered after the reconnect ({enters} enter(s))");
        Assert.All(errors, e => Assert.True(e.Value == 0, $"{e.Key} holds {e.Value} message(s)"));
        Assert.False(worker.Exited.IsCompleted, "the host kept running through the loss");
    }

    public void Dispose() => _events.Dispose();

    // Also appended to <report>.progress as it happens, so a run that is killed (infra/netns-test.sh bounds each) shows how far it got.
    private void Phase(string what)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
        _phases.Add(line);
        if (Environment.GetEnvironmentVariable("PIPELINE_NETNS_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllText(file + ".progress", line + Environment.NewLine);
        }
    }

    private async Task<IReadOnlyList<string>> StoredOutcomesAsync(PrivatePostgres database, string callId)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand($"select status || ' after ' || attempts || ' attempt(s)' from \"{servers.ResultsSchema}\".calls where call_id = $1", connection);
        query.Parameters.Add(new NpgsqlParameter { Value = callId });
        var statuses = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            statuses.Add(reader.GetString(0));
        }

        return statuses;
    }

    private static async Task<IReadOnlyList<BrokerConnection>> ConnectionsAsync(PrivateRabbitMq broker)
    {
        using var management = new HttpClient { BaseAddress = broker.ManagementUri, Timeout = TimeSpan.FromSeconds(30) };
        management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return await management.GetFromJsonAsync<List<BrokerConnection>>("api/connections") ?? [];
    }

    private sealed record BrokerConnection(
        [property: JsonPropertyName("peer_host")] string PeerHost,
        [property: JsonPropertyName("timeout")] int Timeout);
}
