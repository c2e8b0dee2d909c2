using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Gateway;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Naming;

namespace Pipeline.IntegrationTests.Metrics;

/// <summary>
/// <c>GET /metrics</c> on the health port of each real process, as Prometheus (and so KEDA or the HPA) scrapes it: a
/// worker host's pool backlog and input outcomes, the scheduler's fires, the gateway's requests.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class MetricsEndpointTests(Servers servers) : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly ScheduleStore _store = new(servers);

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task WorkerHost_PoolWithBacklog_ServesTheBacklogGaugeForThePoolAndCountsEachOutcome()
    {
        // One input at a time in one container (gated-one has MaxContainers = 1) and no prefetch beyond it: the rest of the
        // inputs wait in the pool's queue.
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, new Dictionary<string, string>
        {
            ["Pipeline__Worker__FunctionConcurrency"] = "1",
            ["Pipeline__Worker__FunctionPrefetch"] = "1",
        });
        using var http = HealthHttp.Client(await worker.HealthAddressAsync(Patience));
        await using var session = await TestClient.StartAsync(servers);
        var tag = $"{_run}-backlog";
        var calls = Enumerable.Range(0, 5).Select(_ => session.Client.Function("itest", "gated-one").RemoteAsync<Reply>([tag])).ToList();
        await Eventually.TrueAsync(() => _events.Count("gated-start", tag) == 1, Patience, "the first input started");

        // The management API's numbers refresh every few seconds and the host lists pools each reconcile: poll.
        var queue = QueueNames.ForFunction("itest", "gated-one");
        var pool = new[] { ("pipeline_queue", queue), ("pipeline_app", "itest"), ("pipeline_function", "gated-one") };
        PrometheusText? scraped = null;
        await Eventually.TrueAsync(async () => (scraped = await ScrapeAsync(http)).Values("pipeline_pool_backlog", pool).Any(v => v >= 1), Patience, $"a backlog for {queue} at /metrics. Last scrape:{Environment.NewLine}{scraped?.Text}");
        // Up to all five: the management API's count can predate the first delivery by a few seconds.
        Assert.All(scraped!.Values("pipeline_pool_backlog", pool), v => Assert.InRange(v, 1, 5));
        Assert.Equal([1.0], scraped.Values("pipeline_pool_in_flight", ("pipeline_queue", queue)));
        Assert.Equal([1.0], scraped.Values("pipeline_host_containers", ("pipeline_queue", queue), ("pipeline_state", "running")));
        // Other pools of this class's virtual host may hold a slot too (the scheduler test's fires wait in one).
        Assert.InRange(Assert.Single(scraped.Values("pipeline_host_cpu_slots", ("pipeline_state", "used"))), 1, double.MaxValue);
        Assert.Equal([0.0], scraped.Values("pipeline_host_gpu_slots", ("pipeline_state", "free")));

        servers.OpenGate(tag);
        await Task.WhenAll(calls).WaitAsync(Patience);
        var succeeded = new[] { ("pipeline_function", "itest.gated-one"), ("pipeline_status", "Succeeded") };
        await Eventually.TrueAsync(async () => (scraped = await ScrapeAsync(http)).Values("pipeline_invocations_total", succeeded).Sum() == 5, Patience, $"five Succeeded outcomes at /metrics. Last scrape:{Environment.NewLine}{scraped?.Text}");
        Assert.Equal([5.0], scraped!.Values("pipeline_invocation_duration_seconds_count", succeeded));
        Assert.Empty(scraped.Values("pipeline_invocations_total", ("pipeline_function", "itest.gated-one"), ("pipeline_status", "Failed")));
    }

    [Fact]
    public async Task Scheduler_OneSecondPeriod_CountsFiresByScheduleAndOutcome()
    {
        // Spawning needs only the broker: the fires wait in the pool's queue, no worker runs them.
        await using var scheduler = SchedulerProcess.Start(servers, _store.Schema, _events.Directory, new Dictionary<string, string>
        {
            ["Pipeline__Scheduler__Schedules__tick__Function"] = "itest.echo",
            ["Pipeline__Scheduler__Schedules__tick__Args"] = $"[\"{_run}\"]",
            ["Pipeline__Scheduler__Schedules__tick__Period"] = "1s",
        });
        using var http = HealthHttp.Client(await scheduler.HealthAddressAsync(Patience));
        var fired = new[] { ("pipeline_schedule", "tick"), ("pipeline_outcome", "Fired") };
        PrometheusText? scraped = null;
        await Eventually.TrueAsync(async () => (scraped = await ScrapeAsync(http)).Values("pipeline_schedule_fires_total", fired).Sum() >= 2, Patience, $"two fires of tick at /metrics. Last scrape:{Environment.NewLine}{scraped?.Text}");
        await scheduler.StopAsync();
    }

    [Fact]
    public async Task Gateway_RequestWithoutToken_IsCountedAsRejectedWithItsStatus()
    {
        await using var gateway = await GatewayProcess.StartAsync(servers, GatewayFixture.Token);
        using var http = HealthHttp.Client(await gateway.HealthAddressAsync(Patience));
        using var web = gateway.Client(token: null);
        using var content = new StringContent("{\"a\":1}", System.Text.Encoding.UTF8, "application/json");
        using var response = await web.PostAsync(new Uri("itest/sum", UriKind.Relative), content);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);

        var rejected = new[] { ("http_response_status_code", "401"), ("pipeline_outcome", "Rejected") };
        PrometheusText? scraped = null;
        await Eventually.TrueAsync(async () => (scraped = await ScrapeAsync(http)).Values("pipeline_gateway_requests_total", rejected).Sum() == 1, Patience, $"one rejected request at /metrics. Last scrape:{Environment.NewLine}{scraped?.Text}");
        Assert.DoesNotContain(scraped!.Series("pipeline_gateway_requests_total"), s => s["pipeline_function"] == "none");
    }

    public void Dispose() => _events.Dispose();

    public Task DisposeAsync() => _store.DropAsync();

    private static async Task<PrometheusText> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return new PrometheusText(await response.Content.ReadAsStringAsync());
    }
}
