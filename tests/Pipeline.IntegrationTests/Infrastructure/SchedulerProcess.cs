namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>A real scheduler service process (<c>dotnet Pipeline.Scheduler.dll</c>) scheduling the test app's functions.</summary>
public sealed class SchedulerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private SchedulerProcess(ChildProcess process)
    {
        _process = process;
    }

    public static string Executable => Path.Combine(RepoPaths.Root, "src/Scheduler/bin", RepoPaths.Configuration, "net10.0", "Pipeline.Scheduler.dll");

    public IReadOnlyList<string> Lines => _process.Lines;

    public string Output => _process.Output;

    /// <summary>The exit code, once the process exited and all its output is in <see cref="Lines"/>.</summary>
    public Task<int> Exited => _process.Exited;

    /// <summary>Starts a scheduler on the run's broker and database, its store in <paramref name="storeSchema"/>, with the given settings (schedules) and command-line arguments.</summary>
    public static SchedulerProcess Start(Servers servers, string storeSchema, string eventsDirectory, IReadOnlyDictionary<string, string> settings, IReadOnlyList<string>? args = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Pipeline__Scheduler__Apps__0"] = RepoPaths.TestApp,
            ["Pipeline__Scheduler__ConnectionString"] = servers.Postgres,
            ["Pipeline__Scheduler__Schema"] = storeSchema,
            ["Pipeline__Scheduler__MisfireThreshold"] = "00:00:05",
            ["Pipeline__Scheduler__CheckinInterval"] = "00:00:02",
            ["Pipeline__Scheduler__PollInterval"] = "00:00:01",
            ["Pipeline__RabbitMq__ConnectionString"] = servers.RabbitMq,
            ["Pipeline__RabbitMq__ManagementUri"] = servers.ManagementUri.ToString(),
            ["Pipeline__Results__ConnectionString"] = servers.Postgres,
            ["Pipeline__Results__Schema"] = servers.ResultsSchema,
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
            ["PIPELINE_ITEST_EVENTS"] = eventsDirectory,
        };
        return new SchedulerProcess(ChildProcess.Start("Scheduler", Executable, environment, settings, logPrefix: "scheduler-", args: args));
    }

    /// <summary>Waits until the process printed a line containing <paramref name="text"/>; fails with its output if it exits first.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) => _process.WaitForOutputAsync(text, timeout);

    /// <summary>SIGTERM, then waits for the process to stop by itself (the service shuts Quartz down).</summary>
    public async Task StopAsync()
    {
        _process.Signal("TERM");
        await _process.Exited.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
