using System.Net;
using System.Text.Json;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Observability.Tests.Infrastructure;

namespace Pipeline.Observability.Tests.Health;

[Collection(ServersGroup.Name)]
public sealed class HealthEndpointTests(Servers servers)
{
    [Fact]
    public async Task Ready_WhileTheBrokerIsThere_AndNotWhileItIsGone_LiveThroughout()
    {
        // A virtual host of this test's own: deleting it is the broker going away for this host alone.
        var virtualHost = "pipeline-health-" + Guid.NewGuid().ToString("N")[..8];
        using var management = Management();
        await CreateVirtualHostAsync(management, virtualHost);
        var broker = new UriBuilder(servers.RabbitMq) { Path = "/" + virtualHost }.Uri.ToString();
        var port = InProcessHost.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        using var host = await InProcessHost.StartAsync(servers, broker, port);
        try
        {
            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "ready once connected");
            var ready = await GetAsync(http, "healthz/ready");
            Assert.Equal("Healthy", ready.Body.GetProperty("checks").GetProperty("worker").GetProperty("status").GetString());

            await management.DeleteAsync(new Uri($"api/vhosts/{virtualHost}", UriKind.Relative));

            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "not ready once the broker is gone");
            var down = await GetAsync(http, "healthz/ready");
            Assert.Equal("Unhealthy", down.Body.GetProperty("status").GetString());
            Assert.StartsWith("no container can start", down.Body.GetProperty("checks").GetProperty("worker").GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "healthz/live")).Code);

            await CreateVirtualHostAsync(management, virtualHost);
            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/ready")).Code == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "ready again after the broker is back");
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
        var port = InProcessHost.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        using var host = await InProcessHost.StartAsync(servers, servers.RabbitMq, port);
        try
        {
            await Eventually.TrueAsync(async () => (await GetAsync(http, "healthz/live")).Code == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "live");

            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("healthz/other", UriKind.Relative))).StatusCode);
        }
        finally
        {
            await host.StopAsync();
        }
    }

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
            // Not listening yet.
            return (0, default);
        }
    }

    private HttpClient Management()
    {
        var broker = new Uri(servers.RabbitMq);
        var credentials = broker.UserInfo.Length > 0 ? Uri.UnescapeDataString(broker.UserInfo) : "guest:guest";
        var client = new HttpClient { BaseAddress = servers.ManagementUri };
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
}
