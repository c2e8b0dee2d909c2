using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Observability.Tests.Infrastructure;

namespace Pipeline.Observability.Tests.Health;

[Collection(ServersGroup.Name)]
public sealed class HealthServerTests(Servers servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ready_WhileTheBrokerIsThere_AndNotWhileItIsGone_LiveThroughout()
    {
        // A virtual host of this test's own: deleting it is the broker going away for this host alone.
        var virtualHost = "pipeline-health-" + Guid.NewGuid().ToString("N")[..8];
        using var management = Management();
        await CreateVirtualHostAsync(management, virtualHost);
        var broker = new UriBuilder(servers.RabbitMq) { Path = "/" + virtualHost }.Uri.ToString();
        using var host = await InProcessHost.StartAsync(servers, broker);
        using var http = Client(InProcessHost.HealthAddress(host));
        try
        {
            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, Patience, "ready once connected");
            var ready = await GetAsync(http, "healthz/ready");
            Assert.Equal("Healthy", ready.Body.GetProperty("checks").GetProperty("worker").GetProperty("status").GetString());

            await management.DeleteAsync(new Uri($"api/vhosts/{virtualHost}", UriKind.Relative));

            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.ServiceUnavailable, Patience, "not ready once the broker is gone");
            var down = await GetAsync(http, "healthz/ready");
            Assert.Equal("Unhealthy", down.Body.GetProperty("status").GetString());
            Assert.StartsWith("no container can start", down.Body.GetProperty("checks").GetProperty("worker").GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "healthz/live")).Code);

            await CreateVirtualHostAsync(management, virtualHost);
            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, Patience, "ready again after the broker is back");
        }
        finally
        {
            await host.StopAsync();
            await management.DeleteAsync(new Uri($"api/vhosts/{virtualHost}", UriKind.Relative));
        }
    }

    [Fact]
    public async Task UnknownPath_Is404()
    {
        using var host = await InProcessHost.StartAsync(servers, servers.RabbitMq);
        using var http = Client(InProcessHost.HealthAddress(host));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "healthz/live")).Code);

            using var response = await http.GetAsync(new Uri("healthz/other", UriKind.Relative));

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task ManyProbesAtOnce_AllAnswered()
    {
        // The old server answered one request at a time: a stuck client held up every probe behind it.
        using var host = await InProcessHost.StartAsync(servers, servers.RabbitMq);
        var address = InProcessHost.HealthAddress(host);
        using var stuck = new TcpClient();
        await stuck.ConnectAsync(address.Host, address.Port);
        await stuck.GetStream().WriteAsync("GET /healthz/live HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        using var http = Client(address);
        try
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => GetAsync(http, "healthz/live")));

            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Code));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Readiness_OnceTheHostIsStopping_Is503WithTheReason_LiveStill200()
    {
        using var host = await InProcessHost.StartAsync(servers, servers.RabbitMq);
        using var http = Client(InProcessHost.HealthAddress(host));
        try
        {
            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, Patience, "ready once connected");

            // What a SIGTERM does first; the host's stop (drain, exit hooks) follows.
            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            var ready = await GetAsync(http, "healthz/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Code);
            Assert.StartsWith("the process is stopping", ready.Body.GetProperty("checks").GetProperty("stopping").GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "healthz/live")).Code);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task FixedPortInUse_StartFails_NamingTheKeyAndTheFix()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => InProcessHost.StartAsync(servers, servers.RabbitMq, port));

        Assert.Contains("Pipeline:Health:Port", error.Message, StringComparison.Ordinal);
        Assert.Contains("0 to let the process pick one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_HealthServerStopsAfterEveryOtherService_LiveAnswersUntilThen()
    {
        var seen = new List<HttpStatusCode>();
        Uri? address = null;
        using var host = await InProcessHost.StartAsync(servers, servers.RabbitMq, configure: services =>
            services.AddHostedService(sp => new ProbeOnStop(() => address!, seen)));
        address = InProcessHost.HealthAddress(host);

        await host.StopAsync();

        // Registered after the health server, stopped before it: its probe still got an answer.
        Assert.Equal([HttpStatusCode.OK], seen);
    }

    private static HttpClient Client(Uri address) => new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<(HttpStatusCode Code, JsonElement Body)> GetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
        catch (HttpRequestException)
        {
            // Not listening (yet, or any more).
            return (0, default);
        }
    }

    private HttpClient Management()
    {
        var broker = new Uri(servers.RabbitMq);
        var credentials = broker.UserInfo.Length > 0 ? Uri.UnescapeDataString(broker.UserInfo) : "guest:guest";
        var client = new HttpClient { BaseAddress = servers.ManagementUri, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        return client;
    }

    private async Task CreateVirtualHostAsync(HttpClient management, string virtualHost)
    {
        var user = Uri.UnescapeDataString(new Uri(servers.RabbitMq).UserInfo.Split(':')[0] is { Length: > 0 } u ? u : "guest");
        Assert.True((await management.PutAsync(new Uri($"api/vhosts/{virtualHost}", UriKind.Relative), null)).IsSuccessStatusCode);
        using var permissions = new StringContent("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", System.Text.Encoding.UTF8, "application/json");
        Assert.True((await management.PutAsync(new Uri($"api/permissions/{virtualHost}/{Uri.EscapeDataString(user)}", UriKind.Relative), permissions)).IsSuccessStatusCode);
    }

    /// <summary>A hosted service that probes liveness while it stops, as a draining pool would be probed.</summary>
    private sealed class ProbeOnStop(Func<Uri> address, List<HttpStatusCode> seen) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            using var http = Client(address());
            seen.Add((await GetAsync(http, "healthz/live")).Code);
        }
    }
}
