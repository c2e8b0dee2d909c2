using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ node of one test's own (its own node name, AMQP, management and distribution ports on loopback, data and
/// logs in a temp folder, management plugin on), for tests that stop and start the broker: the shared node is never
/// touched. <see cref="StopAppAsync"/> and <see cref="StartAppAsync"/> are what an operator's
/// <c>rabbitmqctl stop_app</c> / <c>start_app</c> do (clients are disconnected; durable queues and persistent messages
/// stay). Disposing stops the node and deletes its folder.
/// </summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _directory;
    private readonly Process _server;
    private readonly IPAddress _managementAddress;

    private PrivateRabbitMq(string directory, string node, int port, int managementPort, Process server, IPAddress managementAddress)
    {
        _directory = directory;
        _managementAddress = managementAddress;
        Node = node;
        Port = port;
        ManagementPort = managementPort;
        _server = server;
    }

    /// <summary>The Erlang node name, <c>pipeline-chaos-N@localhost</c>.</summary>
    public string Node { get; }

    /// <summary>The AMQP port on 127.0.0.1; kept across stop and start.</summary>
    public int Port { get; }

    /// <summary>The management API port on 127.0.0.1.</summary>
    public int ManagementPort { get; }

    /// <summary>The AMQP URI (guest, default virtual host).</summary>
    public string AmqpUri => $"amqp://guest:guest@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/";

    /// <summary>The management API base URI (on 127.0.0.1, or on the extra address the node was started with).</summary>
    public Uri ManagementUri => new($"http://{_managementAddress}:{ManagementPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>
    /// Starts a node and waits until AMQP and the management API accept connections. With <paramref name="alsoOn"/>
    /// (a network namespace's host-side address) AMQP also listens there on the same port, the management API listens
    /// only there, and <c>guest</c> may log in from other hosts than loopback (the node is still reachable only from
    /// this machine and that namespace).
    /// </summary>
    public static async Task<PrivateRabbitMq> StartAsync(IPAddress? alsoOn = null)
    {
        const string Bin = "/usr/lib/rabbitmq/bin/rabbitmq-server";
        if (!File.Exists(Bin))
        {
            throw new InvalidOperationException($"RabbitMQ is not installed ({Bin} is missing). Run infra/up.sh, which installs it.");
        }

        var directory = Directory.CreateTempSubdirectory("pipeline-private-rabbit-").FullName;
        var port = ServerCommands.FreePort();
        var managementPort = ServerCommands.FreePort();
        var distPort = ServerCommands.FreePort();
        var node = $"pipeline-chaos-{port.ToString(CultureInfo.InvariantCulture)}@localhost";
        var managementAddress = alsoOn ?? IPAddress.Loopback;
        await File.WriteAllLinesAsync(Path.Combine(directory, "rabbitmq.conf"),
        [
            $"listeners.tcp.default = 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            .. alsoOn is null ? Array.Empty<string>() : [$"listeners.tcp.other = {alsoOn}:{port.ToString(CultureInfo.InvariantCulture)}", "loopback_users.guest = false"],
            $"management.tcp.ip = {managementAddress}",
            $"management.tcp.port = {managementPort.ToString(CultureInfo.InvariantCulture)}",
            "distribution.listener.interface = 127.0.0.1",
            "consumer_timeout = 90000000",
            "collect_statistics_interval = 1000",
        ]);
        await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[rabbitmq_management].");
        await File.WriteAllTextAsync(Path.Combine(directory, "rabbitmq-env.conf"), "");
        var info = new ProcessStartInfo(Bin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var (key, value) in Environment(directory, node, port, distPort))
        {
            // The listeners come from rabbitmq.conf alone when there are two (the variables would replace them).
            if (alsoOn is null || key is not ("RABBITMQ_NODE_IP_ADDRESS" or "RABBITMQ_NODE_PORT"))
            {
                info.Environment[key] = value;
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start rabbitmq-server.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var broker = new PrivateRabbitMq(directory, node, port, managementPort, process, managementAddress);
        try
        {
            await broker.WaitUntilUpAsync();
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the RabbitMQ application (the node stays): every client connection is closed, AMQP refuses new ones.</summary>
    public Task StopAppAsync() => CtlAsync("stop_app");

    /// <summary>Starts the application again on the same ports and waits until AMQP and management answer.</summary>
    public async Task StartAppAsync()
    {
        await CtlAsync("start_app");
        await WaitUntilUpAsync();
    }

    /// <summary>What <c>rabbitmqctl close_all_connections</c> does: the broker closes every client connection with a reason. Returns how many.</summary>
    public async Task<int> CloseAllConnectionsAsync()
    {
        using var management = new HttpClient { BaseAddress = ManagementUri, Timeout = TimeSpan.FromSeconds(30) };
        management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        var listed = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<List<ConnectionInfo>>(management, "api/connections") ?? [];
        var closed = 0;
        foreach (var connection in listed)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/connections/{Uri.EscapeDataString(connection.Name)}");
            request.Headers.Add("X-Reason", "pipeline chaos test: broker closes the connection");
            using var response = await management.SendAsync(request);
            closed += response.IsSuccessStatusCode ? 1 : 0;
        }

        return closed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_server.HasExited)
            {
                await CtlAsync("stop");
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Stopped by force below.
        }

        try
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
                await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Gone already.
        }

        _server.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the node is stopped.
        }
    }

    private static Dictionary<string, string> Environment(string directory, string node, int port, int distPort) => new()
    {
        ["HOME"] = directory,
        ["RABBITMQ_NODENAME"] = node,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_DIST_PORT"] = distPort.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq.conf"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(directory, "rabbitmq-env.conf"),
        ["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbit.pid"),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_CTL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
    };

    private async Task WaitUntilUpAsync()
    {
        var deadline = DateTime.UtcNow + CommandTimeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (!(await AcceptsAsync(IPAddress.Loopback, Port) && await AcceptsAsync(_managementAddress, ManagementPort)))
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"RabbitMQ node {Node} exited during start-up: {Logs()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"RabbitMQ node {Node} did not accept connections within {CommandTimeout}: {Logs()}");
            }

            await timer.WaitForNextTickAsync();
        }
    }

    private string Logs()
    {
        var folder = Path.Combine(_directory, "log");
        return Directory.Exists(folder)
            ? string.Join("\n", Directory.GetFiles(folder, "*.log").Select(f => string.Join("\n", File.ReadLines(f).TakeLast(30))))
            : "(no log)";
    }

    private async Task CtlAsync(string command)
    {
        var info = new ProcessStartInfo("/usr/lib/rabbitmq/bin/rabbitmqctl", ["-n", Node, command]);
        foreach (var (key, value) in Environment(_directory, Node, Port, 0))
        {
            if (key is not ("RABBITMQ_DIST_PORT" or "RABBITMQ_NODE_PORT"))
            {
                info.Environment[key] = value;
            }
        }

        await ServerCommands.RunAsync(info, CommandTimeout);
    }

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    private sealed record ConnectionInfo(string Name);
}
