using Pipeline.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests.Infrastructure;

/// <summary>
/// Once per run: the servers (a virtual host and results schema of this run's own, as the integration tests have) and
/// one worker host process serving the test app, which every verb's test calls through.
/// </summary>
public sealed class CliFixture(IMessageSink sink) : IAsyncLifetime
{
    public Servers Servers { get; } = new(sink);

    public WorkerProcess Worker { get; private set; } = null!;

    /// <summary>The test app, as the command and the worker load it.</summary>
    public static string App => Path.Combine(AppContext.BaseDirectory, "Pipeline.Cli.Tests.App.dll");

    /// <summary>The schema of this run's schedule store; dropped at the end.</summary>
    public string SchedulerSchema => Servers.ResultsSchema + "_quartz";

    public async Task InitializeAsync()
    {
        await Servers.InitializeAsync();
        Worker = await WorkerProcess.StartReadyAsync(Servers, Path.GetTempPath(), new Dictionary<string, string> { ["Pipeline__Worker__Apps__0"] = App });
    }

    public async Task DisposeAsync()
    {
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }

        await using (var connection = new Npgsql.NpgsqlConnection(Servers.Postgres))
        {
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {SchedulerSchema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }

        await Servers.DisposeAsync();
    }

    /// <summary>Runs <c>pipeline</c> with this run's servers and the test app configured.</summary>
    public Task<CliRun> RunAsync(params string[] args) => CliProcess.RunAsync(Environment(), args);

    /// <summary>The environment the command gets: this run's broker, database and schemas, and the test app.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["PIPELINE_RABBITMQ"] = Servers.RabbitMq,
        ["Pipeline__RabbitMq__ManagementUri"] = Servers.ManagementUri.ToString(),
        ["PIPELINE_POSTGRES"] = Servers.Postgres,
        ["Pipeline__Results__Schema"] = Servers.ResultsSchema,
        ["Pipeline__Scheduler__Schema"] = SchedulerSchema,
        ["Pipeline__Cli__Apps__0"] = App,
    };
}

/// <summary>Every test of the command shares one <see cref="CliFixture"/> and runs in sequence.</summary>
[CollectionDefinition(Name)]
public sealed class CliGroup : ICollectionFixture<CliFixture>
{
    public const string Name = "cli";
}

/// <summary>Tests that need no server of this run (usage, help, unreachable servers, dev): they run beside the others.</summary>
[CollectionDefinition(Name)]
public sealed class OfflineGroup
{
    public const string Name = "cli-offline";
}
