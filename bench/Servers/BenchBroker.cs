using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Bench.Servers;

/// <summary>
/// The broker for one bench run: a virtual host of its own (made through the management API, deleted at the end, so
/// nothing of the run is left behind and no other host takes its inputs), and the management figures the scenarios read.
/// </summary>
internal sealed class BenchBroker : IAsyncDisposable
{
    private readonly HttpClient _management;
    private readonly string _vhost;

    private BenchBroker(HttpClient management, string vhost, string amqp, Uri managementUri)
    {
        _management = management;
        _vhost = vhost;
        Amqp = amqp;
        ManagementUri = managementUri;
    }

    /// <summary>The AMQP URI of the run's virtual host (holds the password: never printed).</summary>
    public string Amqp { get; }

    public Uri AmqpUri => new(Amqp);

    public Uri ManagementUri { get; }

    public string VirtualHost => _vhost;

    public static async Task<BenchBroker> CreateAsync(string amqp, CancellationToken cancellationToken)
    {
        var broker = new UriBuilder(amqp);
        var managementUri = new Uri($"http://{broker.Host}:15672/");
        var user = Uri.UnescapeDataString(broker.UserName.Length > 0 ? broker.UserName : "guest");
        var password = Uri.UnescapeDataString(broker.Password.Length > 0 ? broker.Password : "guest");
        // Minutes, not seconds: deleting a virtual host with thousands of queues takes a while on a busy broker.
        var management = new HttpClient { BaseAddress = managementUri, Timeout = TimeSpan.FromMinutes(5) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var vhost = "pipeline-bench-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using var created = await management.PutAsync(new Uri($"api/vhosts/{vhost}", UriKind.Relative), null, cancellationToken);
            created.EnsureSuccessStatusCode();
            using var permissions = new StringContent("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", Encoding.UTF8, "application/json");
            using var granted = await management.PutAsync(new Uri($"api/permissions/{vhost}/{Uri.EscapeDataString(user)}", UriKind.Relative), permissions, cancellationToken);
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

    /// <summary>The broker's versions, as the overview reports them.</summary>
    public async Task<(string RabbitMq, string Erlang)> VersionsAsync(CancellationToken cancellationToken)
    {
        var overview = await _management.GetFromJsonAsync<JsonElement>(new Uri("api/overview", UriKind.Relative), cancellationToken);
        return (overview.GetProperty("rabbitmq_version").GetString() ?? "?", overview.GetProperty("erlang_version").GetString() ?? "?");
    }

    /// <summary>
    /// The node's memory now, computed by the broker on request (<c>?memory=true</c>), unlike the sampled
    /// <c>mem_used</c> that lags by the statistics interval.
    /// </summary>
    public async Task<BrokerMemory> MemoryAsync(CancellationToken cancellationToken)
    {
        var nodes = await _management.GetFromJsonAsync<JsonElement>(new Uri("api/nodes?columns=name", UriKind.Relative), cancellationToken);
        long total = 0, queues = 0, connections = 0, tables = 0;
        foreach (var node in nodes.EnumerateArray())
        {
            var name = node.GetProperty("name").GetString()!;
            var detail = await _management.GetFromJsonAsync<JsonElement>(new Uri($"api/nodes/{Uri.EscapeDataString(name)}?memory=true", UriKind.Relative), cancellationToken);
            var memory = detail.GetProperty("memory");
            total += memory.GetProperty("total").GetProperty("erlang").GetInt64();
            queues += memory.GetProperty("queue_procs").GetInt64();
            connections += new[] { "connection_readers", "connection_writers", "connection_channels", "connection_other" }.Sum(k => memory.GetProperty(k).GetInt64());
            tables += memory.GetProperty("mnesia").GetInt64() + memory.GetProperty("other_ets").GetInt64();
        }

        return new BrokerMemory(total, queues, connections, tables);
    }

    /// <summary>Deletes the run's virtual host and with it every queue and exchange the run made.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var deleted = await _management.DeleteAsync(new Uri($"api/vhosts/{_vhost}", UriKind.Relative));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // The run's figures are printed already; say what is left behind.
            await Console.Error.WriteLineAsync($"Could not delete virtual host {_vhost} ({e.Message}); delete it in the management UI.");
        }

        _management.Dispose();
    }
}
