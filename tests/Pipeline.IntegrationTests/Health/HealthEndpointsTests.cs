using System.Net;
using System.Text.Json;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Gateway;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Health;

/// <summary>
/// Health endpoints of the real processes (worker host, scheduler, gateway): each picks a free port by default and logs
/// it, several run on one machine, and a worker answers while it drains.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class HealthEndpointsTests(Servers servers) : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly ScheduleStore _store = new(servers);

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TwoWorkerHosts_DefaultSettings_EachPicksAPortLogsItAndServesLiveReadyAnd404()
    {
        await using var first = WorkerProcess.Start(servers, _events.Directory);
        await using var second = WorkerProcess.Start(servers, _events.Directory);
        var addresses = new[] { await first.HealthAddressAsync(Patience), await second.HealthAddressAsync(Patience) };

        Assert.NotEqual(addresses[0].Port, addresses[1].Port);
        foreach (var address in addresses)
        {
            Assert.Equal("127.0.0.1", address.Host);
            using var http = HealthHttp.Client(address);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "healthz/live")).Code);
            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, Patience, $"{address} ready");
            var ready = await GetAsync(http, "healthz/ready");
            Assert.Equal("Healthy", ready.Body.GetProperty("checks").GetProperty("worker").GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, "healthz/other")).Code);
        }
    }

    [Fact]
    public async Task WorkerHost_Draining_ReadyIs503AndLiveIs200UntilTheInputFinishesAndTheProcessExits0()
    {
        // A long grace period: the drain lasts as long as the test holds the input, not a time the test must beat.
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, new Dictionary<string, string> { ["Pipeline__Worker__ExitGracePeriod"] = "00:04:00" });
        using var http = HealthHttp.Client(await worker.HealthAddressAsync(Patience));
        await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, Patience, "ready");
        await using var session = await TestClient.StartAsync(servers);
        var tag = $"{_run}-drain";
        var call = session.Client.Function("itest", "gated").RemoteAsync<Reply>([tag]);
        await Eventually.TrueAsync(() => _events.Count("gated-start", tag) == 1, Patience, "the input started");

        worker.Signal("TERM");

        await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.ServiceUnavailable, Patience, "not ready while draining");
        var draining = await GetAsync(http, "healthz/ready");
        Assert.Equal("Unhealthy", draining.Body.GetProperty("checks").GetProperty("stopping").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "healthz/live")).Code);
        Assert.False(worker.Exited.IsCompleted, "the worker is still draining its input");

        servers.OpenGate(tag);
        var reply = await call.WaitAsync(Patience);
        Assert.Equal(worker.Pid, reply.Pid);
        Assert.Equal(0, await worker.Exited.WaitAsync(Patience));
    }

    [Fact]
    public async Task Scheduler_DefaultSettings_ServesLiveAndReadyOnThePortItLogs()
    {
        // A schedule that will not fire during the test: the scheduler connects to the broker for it.
        await using var scheduler = SchedulerProcess.Start(servers, _store.Schema, _events.Directory, new Dictionary<string, string>
        {
            ["Pipeline__Scheduler__Schedules__daily__Function"] = "itest.echo",
            ["Pipeline__Scheduler__Schedules__daily__Args"] = "[\"health\"]",
            ["Pipeline__Scheduler__Schedules__daily__Period"] = "1d",
        });
        using var http = HealthHttp.Client(await scheduler.HealthAddressAsync(Patience));

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "healthz/live")).Code);
        await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, Patience, "scheduler ready");
        Assert.Equal("connected to RabbitMQ: schedules can fire", (await GetAsync(http, "healthz/ready")).Body.GetProperty("checks").GetProperty("scheduler").GetProperty("description").GetString());
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task Gateway_DefaultSettings_ServesLiveAndReadyOnAPortApartFromItsWebEndpoints()
    {
        await using var gateway = await GatewayProcess.StartAsync(servers, GatewayFixture.Token);
        var health = await gateway.HealthAddressAsync(Patience);
        using var http = HealthHttp.Client(health);

        Assert.NotEqual(gateway.Address.Port, health.Port);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "healthz/live")).Code);
        await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, Patience, "gateway ready");
        Assert.Equal("Healthy", (await GetAsync(http, "healthz/ready")).Body.GetProperty("checks").GetProperty("gateway").GetProperty("status").GetString());
    }

    public void Dispose() => _events.Dispose();

    public Task DisposeAsync() => _store.DropAsync();

    private static async Task<(HttpStatusCode Code, JsonElement Body)> GetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 || response.Content.Headers.ContentType?.MediaType != "application/json" ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
        catch (HttpRequestException)
        {
            return (0, default);
        }
    }
}
