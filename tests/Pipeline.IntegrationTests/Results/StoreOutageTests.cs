using Npgsql;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.IntegrationTests.Invocations;
using Pipeline.Results;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.IntegrationTests.Results;

/// <summary>
/// PostgreSQL restarts and saturation under worker hosts serving spawned inputs, on a private PostgreSQL server started
/// by each test (never the shared one): no input is dead-lettered, every call resolves by its own id with its result,
/// a host stays within its documented connection limit, and the client reports an unreachable store with
/// <see cref="ResultStoreUnavailableException"/>.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class StoreOutageTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly EventLog _events = new();
    private readonly string _run = "outage-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _gates = [];

    [Fact]
    public async Task PostgresRestart_WhileTwoHostsServeSpawnedInputs_NothingDeadLetteredAndEveryCallResolvesByItsOwnId()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var first = await WorkerProcess.StartReadyAsync(servers, _events.Directory, environment: HostEnvironment(postgres, "itest-host"));
        await using var second = await WorkerProcess.StartReadyAsync(servers, _events.Directory, environment: HostEnvironment(postgres, "itest-host"));
        await using var session = await ConnectAsync(postgres);
        var slow = session.Client.Function("itest", "slow");
        var flaky = session.Client.Function("itest", "flaky");

        // About 4 s of work for the two hosts (16 at a time each), with retries (Hangfire) among them, so the restart
        // lands while lookups, result writes and retry schedules are under way.
        var calls = new List<(FunctionCall Call, string Tag)>();
        for (var i = 0; i < 400; i++)
        {
            var tag = $"{_run}-slow-{i}";
            calls.Add((await slow.SpawnAsync([tag, 300]), tag));
        }

        for (var i = 0; i < 20; i++)
        {
            var tag = $"{_run}-flaky-{i}";
            calls.Add((await flaky.SpawnAsync([tag, 1]), tag));
        }

        await Eventually.TrueAsync(() => _events.Count("slow-end", $"{_run}-slow-0") + _events.Count("slow-end", $"{_run}-slow-1") > 0, Patience, "the hosts are running inputs");
        await postgres.RestartAsync(TimeSpan.FromSeconds(2));

        foreach (var (call, tag) in calls)
        {
            var reply = await call.GetAsync<Reply>(Patience);
            Assert.Equal(tag, reply.Tag);
        }

        Assert.True(
            first.Output.Contains("Results store unavailable", StringComparison.Ordinal) || second.Output.Contains("Results store unavailable", StringComparison.Ordinal),
            "Neither host met the restart: the test proved nothing. Host output:" + Environment.NewLine + first.Output);
        Assert.Equal(0u, await DeadLettersAsync(slow.Queue));
        Assert.Equal(0u, await DeadLettersAsync(flaky.Queue));
    }

    [Fact]
    public async Task PostgresOutOfConnections_ResultsWaitForTheStore_NothingDeadLetteredAndEveryCallResolves()
    {
        await using var postgres = await PrivatePostgres.StartAsync(maxConnections: 30);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, environment: HostEnvironment(postgres, "itest-saturated"));
        await using var session = await ConnectAsync(postgres);
        var gated = session.Client.Function("itest", "gated");

        var calls = new List<(FunctionCall Call, string Tag)>();
        for (var i = 0; i < 8; i++)
        {
            var tag = $"{_run}-gated-{i}";
            _gates.Add(tag);
            calls.Add((await gated.SpawnAsync([tag]), tag));
        }

        await Eventually.TrueAsync(() => calls.All(c => _events.Count("gated-start", c.Tag) == 1), Patience, "every input is running");

        // Every connection slot taken, and the host's own connections closed: its result writes meet 53300.
        var filler = await SaturateAsync(postgres, "itest-saturated");
        try
        {
            calls.ForEach(c => servers.OpenGate(c.Tag));
            await worker.WaitForOutputAsync("Results store unavailable", Patience);
            Assert.Contains("53300", worker.Output, StringComparison.Ordinal);
            Assert.Equal(0u, await DeadLettersAsync(gated.Queue));
        }
        finally
        {
            foreach (var connection in filler)
            {
                await connection.DisposeAsync();
            }
        }

        foreach (var (call, tag) in calls)
        {
            Assert.Equal(tag, (await call.GetAsync<Reply>(Patience)).Tag);
        }

        Assert.Equal(0u, await DeadLettersAsync(gated.Queue));
        calls.ForEach(c => Assert.Equal(1, _events.Count("gated-end", c.Tag)));
    }

    [Fact]
    public async Task HostUnderLoad_HoldsAtMost20ConnectionsAllPoolsIncluded()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, environment: HostEnvironment(postgres, "itest-limit"));
        await using var session = await ConnectAsync(postgres);
        var slow = session.Client.Function("itest", "slow");
        var echo = session.Client.Function("itest", "echo");
        var flaky = session.Client.Function("itest", "flaky");

        // Sampled every 50 ms from the first spawn until every call resolved: the most the host held at any sample.
        using var done = new CancellationTokenSource();
        var sampler = SampleMostConnectionsAsync(postgres, "itest-limit", done.Token);
        var calls = new List<FunctionCall>();
        for (var i = 0; i < 300; i++)
        {
            calls.Add(await slow.SpawnAsync([$"{_run}-slow-{i}", 20]));
            calls.Add(await echo.SpawnAsync([$"{_run}-echo-{i}"]));
            if (i % 10 == 0)
            {
                calls.Add(await flaky.SpawnAsync([$"{_run}-flaky-{i}", 1]));
            }
        }

        foreach (var call in calls)
        {
            await call.GetAsync<Reply>(Patience);
        }

        await done.CancelAsync();
        var most = await sampler;

        Assert.InRange(most, 1, PostgresResultStoreOptions.DefaultMaxPoolSize);
    }

    [Fact]
    public async Task ClientSpawnAndGet_StoreDown_ThrowResultStoreUnavailableNamingTheStore()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var session = await ConnectAsync(postgres);
        var echo = session.Client.Function("itest", "echo");
        var call = await echo.SpawnAsync([_run]);

        await postgres.StopAsync();

        var spawn = await Assert.ThrowsAsync<ResultStoreUnavailableException>(() => echo.SpawnAsync([_run + "-2"]));
        var get = await Assert.ThrowsAsync<ResultStoreUnavailableException>(() => session.Client.Call(call.Id).GetAsync<Reply>(TimeSpan.Zero));
        Assert.Contains($"Port={postgres.Port}", spawn.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Results:ConnectionString", get.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _gates.ForEach(servers.OpenGate);
        _events.Dispose();
    }

    private static Dictionary<string, string?> HostEnvironment(PrivatePostgres postgres, string applicationName) => new()
    {
        ["Pipeline__Results__ConnectionString"] = $"{postgres.ConnectionString};Application Name={applicationName}",
        ["Pipeline__Results__Schema"] = "pipeline",
        ["Pipeline__Retries__Schema"] = "pipeline_retries",
        ["PIPELINE_POSTGRES"] = null,
    };

    private Task<PipelineConnection> ConnectAsync(PrivatePostgres postgres) => PipelineConnection.ConnectAsync(
        TestClient.Options(servers),
        AppManifests.From(typeof(Work).Assembly),
        new PostgresResultStoreOptions { ConnectionString = $"{postgres.ConnectionString};Application Name=itest-client", Schema = "pipeline" });

    private static async Task<int> SampleMostConnectionsAsync(PrivatePostgres postgres, string applicationName, CancellationToken stop)
    {
        var most = 0;
        using var sampling = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                most = Math.Max(most, await postgres.CountConnectionsAsync(applicationName));
            }
            while (await sampling.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // Every call resolved.
        }

        return most;
    }

    // Opens connections until the server refuses (53300), closing the host's own ones, until the host holds none.
    private static async Task<List<NpgsqlConnection>> SaturateAsync(PrivatePostgres postgres, string host)
    {
        var filler = new List<NpgsqlConnection>();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Could not take every connection slot from {host}.");
            while (true)
            {
                var connection = new NpgsqlConnection($"{postgres.ConnectionString};Pooling=false;Application Name=itest-filler");
                try
                {
                    await connection.OpenAsync();
                    filler.Add(connection);
                }
                catch (PostgresException e) when (e.SqlState == "53300")
                {
                    await connection.DisposeAsync();
                    break;
                }
            }

            var terminated = new List<int>();
            await using (var terminate = new NpgsqlCommand("select pid, pg_terminate_backend(pid) from pg_stat_activity where application_name = $1", filler[0]))
            {
                terminate.Parameters.Add(new NpgsqlParameter { Value = host });
                await using var reader = await terminate.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    terminated.Add(reader.GetInt32(0));
                }
            }

            if (terminated.Count == 0)
            {
                return filler;
            }

            // A terminated backend leaves pg_stat_activity before it gives its connection slot back; the next round
            // fills the slot only once the process is gone (the server runs here, so its backends are our processes).
            await Eventually.TrueAsync(() => terminated.All(pid => !Directory.Exists($"/proc/{pid}")), Patience, $"the terminated backends of {host} exited");
        }
    }

    // The pool's error queue: absent or empty means nothing was dead-lettered.
    private async Task<uint> DeadLettersAsync(string queue)
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        try
        {
            return await raw.CountAsync(queue + "_error");
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }
}
