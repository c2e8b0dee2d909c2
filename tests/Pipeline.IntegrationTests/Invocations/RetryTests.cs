using System.Globalization;
using Npgsql;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.IntegrationTests.Invocations;

/// <summary>
/// Retries over RabbitMQ with durable delays (Hangfire in PostgreSQL): the back-off is honoured, a remote caller gets the
/// last attempt's outcome, the last failure is dead-lettered with its attempt count, and a retry scheduled before every
/// worker died is delivered by the next one, counted as the next attempt.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class RetryTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Poll interval of the retry store (1 s) plus scheduling noise on a busy 2-core machine.
    private readonly EventLog _events = new();
    private readonly string _tag = "retry-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Spawn_FailsTwiceWithRetries3_SucceedsOnTheThirdAttemptAfterTheBackoffDelays()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);

        var call = await session.Client.Function("itest", "flaky").SpawnAsync([_tag, 2]);
        var reply = await call.GetAsync<Reply>(Patience);

        Assert.Equal(_tag, reply.Tag);
        var runs = RunTimes("flaky-at");
        Assert.Equal(3, runs.Count);
        // Back-off 1 s then 2 s (InitialDelaySeconds 1, coefficient 2), never early. How late a loaded machine delivers a
        // retry is not asserted (a CI-like run saw 6.8 s for the 1 s delay); RetryPolicyTests checks the delays computed.
        Assert.True(runs[1] - runs[0] >= TimeSpan.FromSeconds(0.95), $"the first retry came {runs[1] - runs[0]} after the first attempt");
        Assert.True(runs[2] - runs[1] >= TimeSpan.FromSeconds(1.95), $"the second retry came {runs[2] - runs[1]} after the second attempt");
        Assert.Equal(3, (await StoredAsync(call.Id)).Attempts);
        Assert.Contains("Retry delays are durable", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remote_FailsOnceWithRetries_CallerGetsTheRetriedAttemptsResult()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);

        var reply = await session.Client.Function("itest", "flaky").RemoteAsync<Reply>([_tag, 1]).WaitAsync(Patience);

        Assert.Equal(_tag, reply.Tag);
        Assert.Equal(2, _events.Count("flaky", _tag));
    }

    [Fact]
    public async Task Remote_Retries1NeverSucceeds_CallerGetsTheFinalErrorAndTheInputIsDeadLetteredWithItsAttempts()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var function = session.Client.Function("itest", "never-succeeds");

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => function.RemoteAsync<Reply>([_tag]).WaitAsync(Patience));

        Assert.Equal(InvocationStatus.Failed, error.Status);
        Assert.Equal($"{_tag} fails on purpose", error.RemoteMessage);
        Assert.Equal(2, _events.Count("never-succeeds", _tag));
        var (_, headers) = await raw.TakeAsync(function.Queue + "_error", error.CallId, Patience);
        Assert.Equal("Failed", headers["pipeline-status"]);
        Assert.Equal("2", headers["pipeline-attempts"]);
        Assert.Equal($"{_tag} fails on purpose", headers["pipeline-reason"]);
    }

    [Fact]
    public async Task Spawn_WorkerKilledDuringTheRetryDelay_AnotherWorkerDeliversTheRetryAsTheSecondAttempt()
    {
        string id;
        bool redelivered;
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using (var first = await WorkerProcess.StartReadyAsync(servers, _events.Directory))
        {
            await using var spawner = await TestClient.StartAsync(servers);
            var function = spawner.Client.Function("itest", "slow-retry");
            id = (await function.SpawnAsync([_tag, 1])).Id;
            await Eventually.TrueAsync(ScheduledRetryExistsAsync, Patience, "the retry was stored in PostgreSQL");
            first.Kill();
            await first.Exited.WaitAsync(Patience);

            // The host stores the retry, then acknowledges the failed attempt: a kill between the two (a few
            // milliseconds) leaves attempt 1 unacknowledged, and the broker requeues it when it drops the consumer.
            await Eventually.TrueAsync(async () => await raw.ConsumersAsync(function.Queue) == 0, Patience, "the broker dropped the killed host's consumer");
            redelivered = await raw.CountAsync(function.Queue) == 1;
        }

        await using var second = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var reply = await session.Client.Call(id).GetAsync<Reply>(Patience);

        Assert.Equal(second.Pid, reply.Pid);
        Assert.Equal(2, _events.Count("slow-retry", _tag));
        // Acknowledged before the kill: the stored retry is the only copy left, and it ran as attempt 2. Otherwise the
        // requeued attempt 1 ran again, and succeeded first (the stored retry then finds the call complete).
        Assert.Equal(redelivered ? 1 : 2, (await StoredAsync(id)).Attempts);
    }

    private List<DateTimeOffset> RunTimes(string kind) => _events.Read()
        .Where(e => e.Kind == kind && e.Subject.StartsWith(_tag + "@", StringComparison.Ordinal))
        .Select(e => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(e.Subject[(_tag.Length + 1)..], CultureInfo.InvariantCulture)))
        .Order()
        .ToList();

    private async Task<bool> ScheduledRetryExistsAsync()
    {
        await using var connection = new NpgsqlConnection(servers.Postgres);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand($"select to_regclass('{servers.RetriesSchema}.job') is not null", connection);
        if (!(bool)(await exists.ExecuteScalarAsync())!)
        {
            return false;
        }

        await using var count = new NpgsqlCommand($"select count(*) from {servers.RetriesSchema}.job where statename = 'Scheduled' and arguments::text like @tag", connection);
        count.Parameters.AddWithValue("tag", $"%{_tag}%");
        return (long)(await count.ExecuteScalarAsync())! > 0;
    }

    private async Task<InvocationCompleted> StoredAsync(string callId)
    {
        await using var store = new PostgresResultStore(new PostgresResultStoreOptions { ConnectionString = servers.Postgres, Schema = servers.ResultsSchema }, TimeProvider.System);
        var lookup = await store.GetAsync(callId, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(CallState.Completed, lookup.State);
        return lookup.Result!;
    }

    public void Dispose() => _events.Dispose();
}
