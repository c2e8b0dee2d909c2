using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Bench.App;
using Pipeline.Bench.Servers;
using Pipeline.Client;
using Pipeline.RabbitMq;
using Pipeline.Results;
using Pipeline.WorkerHost;

namespace Pipeline.Bench.Subjects;

/// <summary>
/// Pipeline as a user runs it: a worker host (the library entry point, <c>AddPipelineWorkerHost</c>) serving the bench
/// app from this assembly, and a <see cref="PipelineConnection"/> calling it, both over the run's virtual host.
/// Only the settings a deployment would set are given, plus the <c>Pipeline:Worker</c> keys a scenario changes.
/// </summary>
internal sealed class PipelineRig : IAsyncDisposable
{
    /// <summary>
    /// Set by the worker host on the process containers it starts (the bench's own executable started again): this
    /// process is then a container of one pool, not a bench run.
    /// </summary>
    public const string ContainerPoolVariable = "PIPELINE_CONTAINER_POOL";

    // The host's settings for its process containers, which inherit this process's environment: the run's virtual host
    // and schema exist only in the in-memory configuration below.
    private const string ContainerSettingsVariable = "PIPELINE_BENCH_CONTAINER_SETTINGS";
    private const string LogLevelKey = "Bench:LogLevel";

    private readonly BenchBroker _broker;
    private readonly BenchDatabase _database;
    private readonly IReadOnlyDictionary<string, string?> _worker;
    private readonly LogLevel _logLevel = BenchLogging.HostLevel;
    private IHost? _host;
    private PipelineConnection? _connection;

    private PipelineRig(BenchBroker broker, BenchDatabase database, IReadOnlyDictionary<string, string?> worker)
    {
        _broker = broker;
        _database = database;
        _worker = worker;
    }

    public PipelineClient Client => (_connection ?? throw new InvalidOperationException("The client is not connected.")).Client;

    /// <summary>Starts a host, then connects a client.</summary>
    public static async Task<PipelineRig> StartAsync(BenchBroker broker, BenchDatabase database, IReadOnlyDictionary<string, string?>? worker = null, CancellationToken cancellationToken = default)
    {
        var rig = new PipelineRig(broker, database, worker ?? new Dictionary<string, string?>());
        await rig.StartHostAsync(cancellationToken);
        await rig.ConnectAsync(cancellationToken);
        return rig;
    }

    /// <summary>A client with no host yet (scenario 7 fills a queue first).</summary>
    public static async Task<PipelineRig> ConnectOnlyAsync(BenchBroker broker, BenchDatabase database, IReadOnlyDictionary<string, string?>? worker = null, CancellationToken cancellationToken = default)
    {
        var rig = new PipelineRig(broker, database, worker ?? new Dictionary<string, string?>());
        await rig.ConnectAsync(cancellationToken);
        return rig;
    }

    /// <summary>A second client, for a scenario that measures the host's memory without the client's.</summary>
    public Task<PipelineConnection> ConnectClientAsync(CancellationToken cancellationToken) => PipelineConnection.ConnectAsync(
        new RabbitMqOptions { ConnectionString = _broker.Amqp, ManagementUri = _broker.ManagementUri },
        AppManifests.From(typeof(Jobs).Assembly),
        new PostgresResultStoreOptions { ConnectionString = _database.ConnectionString, Schema = _database.Schema },
        cancellationToken: cancellationToken);

    public async Task StartHostAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var settings = new Dictionary<string, string?>
        {
            ["Pipeline:RabbitMq:ConnectionString"] = _broker.Amqp,
            ["Pipeline:RabbitMq:ManagementUri"] = _broker.ManagementUri.ToString(),
            ["Pipeline:Results:ConnectionString"] = _database.ConnectionString,
            ["Pipeline:Results:Schema"] = _database.Schema,
            ["Pipeline:Retries:Schema"] = _database.RetrySchema,
            ["Pipeline:Worker:DetectGpus"] = "false",
        };
        foreach (var (key, value) in _worker)
        {
            settings["Pipeline:Worker:" + key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        Environment.SetEnvironmentVariable(
            ContainerSettingsVariable,
            JsonSerializer.Serialize(new Dictionary<string, string?>(settings) { [LogLevelKey] = _logLevel.ToString() }));

        // Warnings and errors only unless --verbose: a pool's start and stop log at Information, and 1,000 of them would bury the table.
        builder.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(_logLevel);
        builder.Services.AddPipelineWorkerHost(builder.Configuration, [typeof(Jobs).Assembly]);
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
    }

    /// <summary>
    /// The bench started again as a process container (<see cref="ContainerPoolVariable"/> is set): the same host
    /// settings as the parent's rig, then the variables the parent host set for this child (its grace period, no health
    /// endpoints), and run until the host stops it. Its log lines go to standard output, which the host passes on.
    /// </summary>
    public static async Task<int> RunContainerAsync()
    {
        var settings = Environment.GetEnvironmentVariable(ContainerSettingsVariable) is { Length: > 0 } json
            ? JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? []
            : throw new InvalidOperationException($"{ContainerSettingsVariable} is not set: a bench process container is started only by the bench's own worker host.");
        var level = settings.Remove(LogLevelKey, out var named) && Enum.TryParse<LogLevel>(named, out var parsed) ? parsed : LogLevel.Warning;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(level);
        builder.Services.AddPipelineWorkerHost(builder.Configuration, [typeof(Jobs).Assembly]);
        using var host = builder.Build();
        await host.RunAsync();
        return Environment.ExitCode;
    }

    public static IReadOnlyDictionary<string, string?> Worker(params (string Key, object Value)[] settings) =>
        settings.ToDictionary(s => s.Key, s => (string?)Convert.ToString(s.Value, CultureInfo.InvariantCulture));

    private async Task ConnectAsync(CancellationToken cancellationToken) => _connection = await ConnectClientAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_host is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _host.StopAsync(stop.Token);
            _host.Dispose();
        }
    }
}
