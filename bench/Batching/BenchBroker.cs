using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Bench.Batching;

/// <summary>
/// A RabbitMQ virtual host for one run, made and deleted through the management API (as the integration tests do), so
/// nothing of the run is left behind and no other host takes its inputs. Never prints the password.
/// </summary>
internal sealed class BenchBroker : IAsyncDisposable
{
    private readonly HttpClient _management;

    private BenchBroker(HttpClient management, string vhost, string amqp, Uri managementUri)
    {
        _management = management;
        VirtualHost = vhost;
        Amqp = amqp;
        ManagementUri = managementUri;
    }

    public string Amqp { get; }

    public Uri ManagementUri { get; }

    public string VirtualHost { get; }

    public static async Task<BenchBroker> CreateAsync(string amqp)
    {
        var broker = new UriBuilder(amqp);
        var managementUri = new Uri($"http://{broker.Host}:15672/");
        var user = Uri.UnescapeDataString(broker.UserName.Length > 0 ? broker.UserName : "guest");
        var password = Uri.UnescapeDataString(broker.Password.Length > 0 ? broker.Password : "guest");
        var management = new HttpClient { BaseAddress = managementUri, Timeout = TimeSpan.FromSeconds(30) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var vhost = "pipeline-bench-batching-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using var created = await management.PutAsync(new Uri($"api/vhosts/{vhost}", UriKind.Relative), null);
            created.EnsureSuccessStatusCode();
            using var permissions = new StringContent("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", Encoding.UTF8, "application/json");
            using var granted = await management.PutAsync(new Uri($"api/permissions/{vhost}/{Uri.EscapeDataString(user)}", UriKind.Relative), permissions);
            granted.EnsureSuccessStatusCode();
        }
        catch (HttpRequestException e)
        {
            management.Dispose();
            throw new InvalidOperationException(
                $"The RabbitMQ management API at {managementUri} did not let the bench make a virtual host ({e.Message}). " +
                "Run infra/up.sh (it enables the management plugin), or set PIPELINE_RABBITMQ to a broker whose user may create virtual hosts.", e);
        }

        broker.Path = "/" + vhost;
        return new BenchBroker(management, vhost, broker.Uri.ToString(), managementUri);
    }

    public async Task<string> VersionAsync()
    {
        var overview = await _management.GetFromJsonAsync<JsonElement>(new Uri("api/overview", UriKind.Relative));
        return overview.GetProperty("rabbitmq_version").GetString() ?? "?";
    }

    public async ValueTask DisposeAsync()
    {
        using (await _management.DeleteAsync(new Uri($"api/vhosts/{VirtualHost}", UriKind.Relative)))
        {
        }

        _management.Dispose();
    }
}
