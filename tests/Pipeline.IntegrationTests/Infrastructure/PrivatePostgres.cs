using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own (initdb into a temp folder, a free port, trust authentication for the user
/// <c>pipeline</c>), for tests that stop, restart or saturate the database: the shared server is never touched. Runs
/// the binaries of <c>PIPELINE_PG_BIN</c> or /usr/lib/postgresql/15/bin, as user <c>postgres</c> when the tests run as
/// root (PostgreSQL refuses root). Disposing stops it at once and deletes its folder.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asPostgresUser;

    private PrivatePostgres(string bin, string directory, int port, bool asPostgresUser)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>The TCP port it listens on (127.0.0.1); kept across restarts.</summary>
    public int Port { get; }

    /// <summary>A connection string to its database <c>pipeline</c> as user <c>pipeline</c>, no pooling across tests' processes needed.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=pipeline;Database=pipeline;Timeout=5;Command Timeout=30";

    /// <summary>Whether the server is running (as far as this helper started or stopped it).</summary>
    public bool IsRunning { get; private set; }

    /// <summary>
    /// Creates and starts a server. <paramref name="maxConnections"/> sets <c>max_connections</c> (saturation tests);
    /// <paramref name="settings"/> adds further <c>postgresql.conf</c> lines (<c>name = value</c>), <paramref name="clientAuthentication"/>
    /// further <c>pg_hba.conf</c> lines (for clients in a network namespace: <c>host all all 10.x.y.z/32 trust</c>).
    /// </summary>
    public static async Task<PrivatePostgres> StartAsync(int maxConnections = 100, IReadOnlyList<string>? settings = null, IReadOnlyList<string>? clientAuthentication = null)
    {
        var bin = Environment.GetEnvironmentVariable("PIPELINE_PG_BIN") is { Length: > 0 } configured ? configured : "/usr/lib/postgresql/15/bin";
        if (!File.Exists(Path.Combine(bin, "initdb")))
        {
            throw new InvalidOperationException($"PostgreSQL server binaries are not in {bin} (no initdb). Install postgresql-15 or set PIPELINE_PG_BIN to the folder that holds initdb and pg_ctl.");
        }

        var directory = Directory.CreateTempSubdirectory("pipeline-private-pg-").FullName;
        var asPostgresUser = Environment.UserName == "root";
        var server = new PrivatePostgres(bin, directory, ServerCommands.FreePort(), asPostgresUser);
        try
        {
            if (asPostgresUser)
            {
                await RunAsync("chown", ["-R", "postgres", directory]);
            }

            await server.RunAsUserAsync("initdb", ["-D", server.DataDirectory, "-U", "pipeline", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
            string[] lines =
            [
                $"port = {server.Port.ToString(CultureInfo.InvariantCulture)}",
                "listen_addresses = '127.0.0.1'",
                $"unix_socket_directories = '{directory}'",
                $"max_connections = {maxConnections.ToString(CultureInfo.InvariantCulture)}",
                "superuser_reserved_connections = 1",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "shared_buffers = 16MB",
                "logging_collector = off",
                .. settings ?? [],
            ];
            await File.AppendAllLinesAsync(Path.Combine(server.DataDirectory, "postgresql.conf"), lines);
            await File.AppendAllLinesAsync(Path.Combine(server.DataDirectory, "pg_hba.conf"), clientAuthentication ?? []);
            await server.StartAsync();
            await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={server.Port.ToString(CultureInfo.InvariantCulture)};Username=pipeline;Database=postgres;Pooling=false;Timeout=5"))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand("create database pipeline", connection);
                await create.ExecuteNonQueryAsync();
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    private string LogFile => Path.Combine(_directory, "server.log");

    /// <summary>Starts the (stopped) server on the same port and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        await RunAsUserAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start"]);
        IsRunning = true;
    }

    /// <summary>
    /// Stops the server: <c>fast</c> (the default, what a restart by an operator does: clients get 57P01), or
    /// <c>immediate</c> (a crash: no shutdown checkpoint).
    /// </summary>
    public async Task StopAsync(string mode = "fast")
    {
        await RunAsUserAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"]);
        IsRunning = false;
    }

    /// <summary>Stops the server, keeps it down for <paramref name="downtime"/>, and starts it again.</summary>
    public async Task RestartAsync(TimeSpan downtime, string mode = "fast")
    {
        await StopAsync(mode);
        await Task.Delay(downtime); // the outage itself, not a wait for a condition
        await StartAsync();
    }

    /// <summary>How many server connections (client backends) with this <c>application_name</c> are open now.</summary>
    public async Task<int> CountConnectionsAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection($"{ConnectionString};Pooling=false");
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from pg_stat_activity where application_name = $1 and backend_type = 'client backend'", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        return Convert.ToInt32(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The server's own log, for failure messages.</summary>
    public string ServerLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(DataDirectory) && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunAsUserAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already stopped: nothing to do.
            }
        }

        IsRunning = false;
        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the server is stopped.
        }
    }

    private Task RunAsUserAsync(string tool, IReadOnlyList<string> args) =>
        _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
            : RunAsync(Path.Combine(_bin, tool), args);

    private static Task RunAsync(string file, IReadOnlyList<string> args) =>
        ServerCommands.RunAsync(new ProcessStartInfo(file, args), CommandTimeout);
}
