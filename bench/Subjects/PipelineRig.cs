using System.Globalization;
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

        // Warnings and errors only unless --verbose: a pool's start and stop log at Information, and 1,000 of them would bury the table.
        builder.Logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(_logLevel);
        builder.Services.AddPipelineWorkerHost(builder.Configuration, [typeof(Jobs).Assembly]);
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
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
