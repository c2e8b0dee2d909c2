using System.Net.Http.Json;
using System.Net.Sockets;
using Npgsql;
using RabbitMQ.Client;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// The broker and the database for every integration test, started once per run: Testcontainers when a Docker engine
/// answers, otherwise the servers <c>infra/up.sh</c> started (PIPELINE_RABBITMQ, PIPELINE_POSTGRES). The choice is
/// logged. An unreachable server fails the run: it is never a skip.
/// </summary>
public sealed class Servers(IMessageSink sink) : IAsyncLifetime
{
    private RabbitMqContainer? _rabbit;
    private PostgreSqlContainer? _postgres;
    private string? _virtualHost;

    public string RabbitMq { get; private set; } = "";

    public Uri ManagementUri { get; private set; } = null!;

    public string Postgres { get; private set; } = "";

    public string Source { get; private set; } = "";

    /// <summary>Where tests open the gates of the test app's gated function, shared by every worker of the run.</summary>
    public string GatesDirectory { get; } = Directory.CreateTempSubdirectory("pipeline-itest-gates-").FullName;

    /// <summary>Lets every gated input with this tag finish, in whichever worker it runs (even one a later test started).</summary>
    public void OpenGate(string tag) => File.WriteAllText(Path.Combine(GatesDirectory, tag + ".gate"), "go");

    /// <summary>The PostgreSQL schema this run's results go to; dropped at the end.</summary>
    public string ResultsSchema { get; } = "test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The PostgreSQL schema of this run's durable retry delays (Hangfire's tables).</summary>
    public string RetriesSchema => ResultsSchema + "_retries";

    public async Task InitializeAsync()
    {
        if (await DockerAnswersAsync())
        {
            Source = "Testcontainers (a Docker engine answered)";
            _rabbit = new RabbitMqBuilder("rabbitmq:3.13-management").WithPortBinding(15672, true).Build();
            _postgres = new PostgreSqlBuilder("postgres:15").Build();
            await Task.WhenAll(_rabbit.StartAsync(), _postgres.StartAsync());
            RabbitMq = _rabbit.GetConnectionString();
            ManagementUri = new Uri($"http://{_rabbit.Hostname}:{_rabbit.GetMappedPublicPort(15672)}/");
            Postgres = _postgres.GetConnectionString();
        }
        else
        {
            Source = "the local servers from infra/up.sh (no Docker engine answered)";
            RabbitMq = Environment.GetEnvironmentVariable("PIPELINE_RABBITMQ") is { Length: > 0 } rabbit ? rabbit : "amqp://guest:guest@127.0.0.1:5672/";
            Postgres = Environment.GetEnvironmentVariable("PIPELINE_POSTGRES") is { Length: > 0 } pg ? pg : "Host=127.0.0.1;Port=5432;Username=pipeline;Password=pipeline;Database=pipeline";
            ManagementUri = new Uri($"http://{new Uri(RabbitMq).Host}:15672/");
        }

        sink.OnMessage(new DiagnosticMessage($"Integration tests use {Source}: RabbitMQ at {new Uri(RabbitMq).Host}:{new Uri(RabbitMq).Port}, management at {ManagementUri}."));
        await CheckRabbitMqAsync();
        await CheckPostgresAsync();
        await UseOwnVirtualHostAsync();
    }

    // A virtual host per run: workers of another run (or a developer's own hosts) never take this run's inputs, and
    // deleting it at the end removes every queue the run made.
    private async Task UseOwnVirtualHostAsync()
    {
        var broker = new UriBuilder(RabbitMq);
        _virtualHost = "pipeline-test-" + Guid.NewGuid().ToString("N")[..8];
        using var management = Management();
        var created = await management.PutAsync($"api/vhosts/{_virtualHost}", null);
        Assert.True(created.IsSuccessStatusCode, $"Could not create virtual host {_virtualHost}: {created.StatusCode}");
        var user = Uri.UnescapeDataString(broker.UserName.Length > 0 ? broker.UserName : "guest");
        using var permissions = new StringContent("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", System.Text.Encoding.UTF8, "application/json");
        var granted = await management.PutAsync($"api/permissions/{_virtualHost}/{Uri.EscapeDataString(user)}", permissions);
        Assert.True(granted.IsSuccessStatusCode, $"Could not grant {user} access to {_virtualHost}: {granted.StatusCode}");
        broker.Path = "/" + _virtualHost;
        RabbitMq = broker.Uri.ToString();
        sink.OnMessage(new DiagnosticMessage($"Integration tests run in RabbitMQ virtual host {_virtualHost}."));
    }

    private HttpClient Management()
    {
        var broker = new Uri(RabbitMq);
        var credentials = broker.UserInfo.Length > 0 ? Uri.UnescapeDataString(broker.UserInfo) : "guest:guest";
        var client = new HttpClient { BaseAddress = ManagementUri, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        return client;
    }

    /// <summary>The RabbitMQ virtual host of this run.</summary>
    public string VirtualHost => _virtualHost ?? "/";

    /// <summary>
    /// What an operator's <c>rabbitmqctl close_all_connections</c> does, limited to this run's virtual host (the broker
    /// may be shared: other connections are never touched): the broker closes every client connection with a reason,
    /// and stays up. Returns how many it closed.
    /// </summary>
    public Task<int> CloseAllConnectionsAsync() => CloseConnectionsAsync(_ => true);

    /// <summary>
    /// Like <see cref="CloseAllConnectionsAsync"/>, for the connections of this run's virtual host whose client-given
    /// name (<c>pipeline-topology host/pid</c>, <c>pipeline-bus ...</c>) <paramref name="named"/> accepts; with
    /// <paramref name="hostPid"/>, only once the management API lists that worker process's two connections (bus and
    /// topology: it lists a new connection only after its next statistics round).
    /// </summary>
    public async Task<int> CloseConnectionsAsync(Func<string, bool> named, int? hostPid = null)
    {
        using var management = Management();
        management.Timeout = TimeSpan.FromSeconds(30);
        // The management API lists a new connection only after its next statistics round (up to 5 s): poll, bounded.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        bool Listed(List<ConnectionInfo> connections) => hostPid is null || connections.Count(c => c.ClientName?.EndsWith($"/{hostPid}", StringComparison.Ordinal) == true) >= 2;
        List<ConnectionInfo> all;
        while (((all = await management.GetFromJsonAsync<List<ConnectionInfo>>($"api/vhosts/{Uri.EscapeDataString(VirtualHost)}/connections") ?? []).All(c => !named(c.ClientName ?? ""))
            || !Listed(all)) && DateTime.UtcNow < deadline)
        {
            await timer.WaitForNextTickAsync();
        }

        Assert.True(Listed(all), $"Within 30 s the management API listed process {hostPid}'s two connections; it listed: {string.Join(", ", all.Select(c => c.ClientName))}");

        var closed = 0;
        foreach (var connection in all.Where(c => c.Vhost == VirtualHost && named(c.ClientName ?? "")))
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/connections/{Uri.EscapeDataString(connection.Name)}");
            request.Headers.Add("X-Reason", "pipeline test: broker closes the connection");
            using var response = await management.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NotFound, $"Closing {connection.Name}: {response.StatusCode}");
            closed += response.IsSuccessStatusCode ? 1 : 0;
        }

        return closed;
    }

    private sealed record ConnectionInfo(string Name, string Vhost, [property: System.Text.Json.Serialization.JsonPropertyName("user_provided_name")] string? ClientName);

    public async Task DisposeAsync()
    {
        await using (var connection = new NpgsqlConnection(Postgres))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop schema if exists {ResultsSchema} cascade; drop schema if exists {RetriesSchema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }

        if (_virtualHost is not null)
        {
            using var management = Management();
            await management.DeleteAsync($"api/vhosts/{_virtualHost}");
        }

        if (_rabbit is not null)
        {
            await _rabbit.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private async Task CheckRabbitMqAsync()
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = new Uri(RabbitMq) }.CreateConnectionAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"RabbitMQ is unreachable through {Source}: {e.Message}. Run infra/up.sh (or start Docker) and run the tests again.", e);
        }
    }

    private async Task CheckPostgresAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(Postgres);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"PostgreSQL is unreachable through {Source}: {e.Message}. Run infra/up.sh (or start Docker) and run the tests again.", e);
        }
    }

    private static async Task<bool> DockerAnswersAsync()
    {
        var socket = Environment.GetEnvironmentVariable("DOCKER_HOST") is { } host && host.StartsWith("unix://", StringComparison.Ordinal)
            ? host["unix://".Length..]
            : "/var/run/docker.sock";
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { } tcp && tcp.StartsWith("tcp://", StringComparison.Ordinal))
        {
            return await PingAsync(new HttpClient { BaseAddress = new Uri(tcp.Replace("tcp://", "http://", StringComparison.Ordinal)) });
        }

        if (!File.Exists(socket))
        {
            return false;
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), token);
                return new NetworkStream(unix, ownsSocket: true);
            },
        };
        return await PingAsync(new HttpClient(handler) { BaseAddress = new Uri("http://docker/") });
    }

    private static async Task<bool> PingAsync(HttpClient client)
    {
        using (client)
        {
            client.Timeout = TimeSpan.FromSeconds(3);
            try
            {
                return (await client.GetStringAsync("_ping")).Trim() == "OK";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                return false;
            }
        }
    }
}
