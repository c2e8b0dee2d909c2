using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.RabbitMq;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// The three-node cluster <c>infra/cluster.sh up</c> started (its state file named by PIPELINE_CLUSTER_STATE, as
/// <c>infra/cluster-test.sh</c> sets it): its ports, <c>kill-node</c>/<c>start-node</c> through the script, and what
/// the management API says about which connection and queue leader is on which node. Each test gets a virtual host of its own.
/// </summary>
public sealed class RabbitCluster : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(180);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private RabbitCluster(IReadOnlyList<int> amqpPorts, IReadOnlyList<int> managementPorts, string virtualHost)
    {
        AmqpPorts = amqpPorts;
        ManagementPorts = managementPorts;
        VirtualHost = virtualHost;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
    }

    /// <summary>Each node's AMQP port on 127.0.0.1, node 1 first.</summary>
    public IReadOnlyList<int> AmqpPorts { get; }

    /// <summary>Each node's management port on 127.0.0.1.</summary>
    public IReadOnlyList<int> ManagementPorts { get; }

    /// <summary>This test's virtual host.</summary>
    public string VirtualHost { get; }

    /// <summary>The connection string (node 1, this virtual host); <see cref="Settings"/> lists every node.</summary>
    public string AmqpUri => $"amqp://guest:guest@127.0.0.1:{AmqpPorts[0].ToString(CultureInfo.InvariantCulture)}/{Uri.EscapeDataString(VirtualHost)}";

    /// <summary>Reads the state file and creates a virtual host for the test. Fails (never skips) without a cluster.</summary>
    public static async Task<RabbitCluster> OpenAsync()
    {
        var state = Environment.GetEnvironmentVariable("PIPELINE_CLUSTER_STATE");
        if (string.IsNullOrEmpty(state) || !File.Exists(state))
        {
            throw new InvalidOperationException(
                "No RabbitMQ cluster: run this test through infra/cluster-test.sh (it starts one with infra/cluster.sh up and sets PIPELINE_CLUSTER_STATE).");
        }

        var values = File.ReadAllLines(state)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        int Port(int node, string kind) => int.Parse(values[$"NODE_{node.ToString(CultureInfo.InvariantCulture)}_{kind}"], CultureInfo.InvariantCulture);
        var cluster = new RabbitCluster(
            [Port(1, "AMQP"), Port(2, "AMQP"), Port(3, "AMQP")],
            [Port(1, "MGMT"), Port(2, "MGMT"), Port(3, "MGMT")],
            "cluster-" + Guid.NewGuid().ToString("N")[..8]);
        await cluster.ManagementAsync(HttpMethod.Put, $"api/vhosts/{Uri.EscapeDataString(cluster.VirtualHost)}", null);
        await cluster.ManagementAsync(HttpMethod.Put, $"api/permissions/{Uri.EscapeDataString(cluster.VirtualHost)}/guest", new { configure = ".*", write = ".*", read = ".*" });
        return cluster;
    }

    /// <summary>Worker host settings (environment form): every node, every management API, quorum pool queues.</summary>
    public Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>
        {
            ["Pipeline__RabbitMq__ConnectionString"] = AmqpUri,
            ["Pipeline__RabbitMq__ManagementUri"] = $"http://127.0.0.1:{ManagementPorts[0].ToString(CultureInfo.InvariantCulture)}/",
            ["Pipeline__RabbitMq__QueueType"] = "quorum",
        };
        for (var i = 0; i < AmqpPorts.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            settings[$"Pipeline__RabbitMq__Endpoints__{n}"] = $"127.0.0.1:{AmqpPorts[i].ToString(CultureInfo.InvariantCulture)}";
            settings[$"Pipeline__RabbitMq__ManagementUris__{n}"] = $"http://127.0.0.1:{ManagementPorts[i].ToString(CultureInfo.InvariantCulture)}/";
        }

        return settings;
    }

    /// <summary>Client options with the same nodes and queue type as <see cref="Settings"/>.</summary>
    public RabbitMqOptions Options()
    {
        var options = new RabbitMqOptions { ConnectionString = AmqpUri, QueueType = RabbitMqQueueType.Quorum };
        for (var i = 0; i < AmqpPorts.Count; i++)
        {
            options.Endpoints.Add($"127.0.0.1:{AmqpPorts[i].ToString(CultureInfo.InvariantCulture)}");
            options.ManagementUris.Add(new Uri($"http://127.0.0.1:{ManagementPorts[i].ToString(CultureInfo.InvariantCulture)}/"));
        }

        return options;
    }

    /// <summary><c>infra/cluster.sh kill-node N</c>: SIGKILL, no goodbye.</summary>
    public Task KillNodeAsync(int node) => ScriptAsync("kill-node", node);

    /// <summary><c>infra/cluster.sh start-node N</c>: back, rejoined, and answering AMQP and management.</summary>
    public Task StartNodeAsync(int node) => ScriptAsync("start-node", node);

    /// <summary>
    /// The nodes (1-3) on which this virtual host has an open connection named <paramref name="name"/>
    /// (<c>client_properties.connection_name</c>), from the management API's connection list. A node that is down
    /// lists nothing, and a new connection can take a few seconds to appear: callers poll.
    /// </summary>
    public async Task<IReadOnlySet<int>> NodesOfConnectionAsync(string name)
    {
        var answer = await ManagementAsync(HttpMethod.Get, $"api/vhosts/{Uri.EscapeDataString(VirtualHost)}/connections", null);
        using var document = JsonDocument.Parse(answer);
        var nodes = new HashSet<int>();
        foreach (var connection in document.RootElement.EnumerateArray())
        {
            if (connection.TryGetProperty("client_properties", out var properties)
                && properties.TryGetProperty("connection_name", out var named)
                && named.GetString() == name
                && connection.TryGetProperty("node", out var node))
            {
                nodes.Add(NodeNumber(node.GetString()));
            }
        }

        return nodes;
    }

    /// <summary>The node (1-3) holding the leader of quorum queue <paramref name="queue"/>, asked of any node that answers.</summary>
    public async Task<int> LeaderOfAsync(string queue)
    {
        var answer = await ManagementAsync(HttpMethod.Get, $"api/queues/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(queue)}", null);
        using var document = JsonDocument.Parse(answer);
        return NodeNumber(document.RootElement.GetProperty("leader").GetString());
    }

    /// <summary>
    /// Waits until every member of quorum queue <paramref name="queue"/> is online again (<c>online</c> lists all three):
    /// a restarted node's member catches up first, and losing another node before that leaves the queue without a
    /// majority. Operators do the same (<c>rabbitmq-queues check_if_node_is_quorum_critical</c>) between node restarts.
    /// </summary>
    public async Task WaitAllMembersOnlineAsync(string queue, TimeSpan timeout)
    {
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    var answer = await ManagementAsync(HttpMethod.Get, $"api/queues/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(queue)}", null);
                    using var document = JsonDocument.Parse(answer);
                    return document.RootElement.TryGetProperty("online", out var online)
                        && online.ValueKind == JsonValueKind.Array
                        && online.GetArrayLength() == AmqpPorts.Count;
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            },
            timeout,
            $"every member of quorum queue {queue} is online");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ManagementAsync(HttpMethod.Delete, $"api/vhosts/{Uri.EscapeDataString(VirtualHost)}", null);
        }
        catch (InvalidOperationException)
        {
            // infra/cluster.sh down removes everything anyway.
        }

        _http.Dispose();
    }

    // Any node that answers: one of them may be down.
    private async Task<string> ManagementAsync(HttpMethod method, string path, object? body)
    {
        var failures = new List<string>();
        foreach (var port in ManagementPorts)
        {
            using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{path}"));
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            try
            {
                using var response = await _http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode)
                {
                    return text;
                }

                failures.Add($"{port}: {(int)response.StatusCode} {text}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failures.Add($"{port}: {e.Message}");
            }
        }

        throw new InvalidOperationException($"No management API answered {method} {path}: {string.Join("; ", failures)}");
    }

    // infra/cluster.sh names its nodes pipeline-c1@<host> to pipeline-c3@<host>.
    private static int NodeNumber(string? node) =>
        node is not null && node.StartsWith("pipeline-c", StringComparison.Ordinal) && node.IndexOf('@', StringComparison.Ordinal) is > 10 and var at
        && int.TryParse(node.AsSpan(10, at - 10), CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidOperationException($"'{node}' is not a node of this cluster (pipeline-c<N>@<host>).");

    private static Task<string> ScriptAsync(string verb, int node) =>
        RunAsync(Path.Combine(RepoPaths.Root, "infra", "cluster.sh"), [verb, node.ToString(CultureInfo.InvariantCulture)]);

    private static async Task<string> RunAsync(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }

        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }
}
