using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pipeline.Results;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Pipeline.Scheduler.Hosting;

namespace Pipeline.Scheduler.Tests.Store;

/// <summary>
/// A schema of its own on the local PostgreSQL (<c>test_sched_&lt;guid&gt;</c>) for one test's clustered store, and the
/// scheduler instances on it, each with its own services (as separate processes have); dropped at the end. The server
/// not answering fails the test: it never passes by skipping.
/// </summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly List<Node> _nodes = [];

    private TestStore(string name) => Schema = name;

    public static string ConnectionString { get; } =
        Environment.GetEnvironmentVariable(PostgresResultStoreOptions.EnvironmentVariable) is { Length: > 0 } configured ? configured : PostgresResultStoreOptions.DefaultConnectionString;

    public string Schema { get; }

    public string Cluster { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// How late a fire may be and still run as on time, for instances made after it is set. One second by default, so
    /// the misfire tests run quickly; a test about something else raises it, because on a loaded machine a fire can be
    /// a second late, and then the Skip policy rightly drops it.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(1);

    public static async Task<TestStore> CreateAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await connection.OpenAsync(timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            Assert.Fail($"PostgreSQL is not reachable ({e.GetType().Name}: {e.Message}). Run infra/up.sh (or set PIPELINE_POSTGRES to a server that runs), then run the tests again.");
        }

        return new TestStore("test_sched_" + Guid.NewGuid().ToString("N")[..12]);
    }

    public SchedulerOptions Options(string instance) => new()
    {
        ConnectionString = ConnectionString,
        Schema = Schema,
        ClusterName = Cluster,
        InstanceId = instance,
        MisfireThreshold = MisfireThreshold,
        CheckinInterval = TimeSpan.FromSeconds(2),
        PollInterval = TimeSpan.FromSeconds(1),
    };

    /// <summary>A scheduler instance on this store, not started; its fires go to <paramref name="dispatcher"/>.</summary>
    public Node Instance(string name, IScheduleDispatcher dispatcher, params ScheduleDefinition[] schedules)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(dispatcher);
        services.AddScheduleRuntime(Options(name), new ScheduleSet(schedules));
        var node = new Node(services.BuildServiceProvider());
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return node;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("$schema", Schema, StringComparison.Ordinal), connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists \"{Schema}\" cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }

    internal sealed class Node(ServiceProvider services) : IAsyncDisposable
    {
        private bool _disposed;

        public ScheduleRuntime Runtime => services.GetRequiredService<ScheduleRuntime>();

        public ScheduleBook Book => services.GetRequiredService<ScheduleBook>();

        public Task StartAsync() => Runtime.StartAsync(CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await Runtime.StopAsync(CancellationToken.None);
            await services.DisposeAsync();
        }
    }
}
