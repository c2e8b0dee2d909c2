namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>A real worker host process (<c>dotnet Pipeline.WorkerHost.dll</c>) serving the test app.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private WorkerProcess(ChildProcess process)
    {
        _process = process;
    }

    public int Pid => _process.Pid;

    public Task<int> Exited => _process.Exited;

    public string Output => _process.Output;

    /// <summary>Starts a worker and waits until it hears pool notices (its broker connection is up).</summary>
    public static async Task<WorkerProcess> StartReadyAsync(
        Servers servers,
        string eventsDirectory,
        IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var worker = Start(servers, eventsDirectory, settings, environment);
        await worker.WaitForOutputAsync("listening for pool notices", TimeSpan.FromSeconds(60));
        return worker;
    }

    /// <summary>
    /// Starts a worker; <paramref name="environment"/> replaces its variables (a null value removes one: for example no
    /// <c>Pipeline__Results__ConnectionString</c> and no <c>PIPELINE_POSTGRES</c> for a host without PostgreSQL);
    /// <paramref name="launcher"/> runs it through a command (<c>ip netns exec ns</c>: NetworkNamespace.Launcher).
    /// </summary>
    public static WorkerProcess Start(
        Servers servers,
        string eventsDirectory,
        IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        IReadOnlyList<string>? launcher = null)
    {
        var variables = new Dictionary<string, string?>
        {
            ["Pipeline__Worker__Apps__0"] = RepoPaths.TestApp,
            ["Pipeline__RabbitMq__ConnectionString"] = servers.RabbitMq,
            ["Pipeline__RabbitMq__ManagementUri"] = servers.ManagementUri.ToString(),
            ["Pipeline__Results__ConnectionString"] = servers.Postgres,
            ["Pipeline__Results__Schema"] = servers.ResultsSchema,
            ["Pipeline__Retries__Schema"] = servers.RetriesSchema,
            ["Pipeline__Worker__ReconcileInterval"] = "00:00:01",
            ["Pipeline__Worker__ExitGracePeriod"] = "00:00:10",
            ["Pipeline__Worker__DetectGpus"] = "false",
            ["PIPELINE_ITEST_EVENTS"] = eventsDirectory,
            ["PIPELINE_ITEST_GATES"] = servers.GatesDirectory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        return new WorkerProcess(ChildProcess.Start("Worker", RepoPaths.WorkerHost, variables, settings, logPrefix: "", launcher: launcher));
    }

    /// <summary>Waits until the process printed a line containing <paramref name="text"/>; fails with its output if it exits first.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) => _process.WaitForOutputAsync(text, timeout);

    public int Count(string text) => _process.Count(text);

    /// <summary>
    /// <paramref name="failure"/> with the host's last <paramref name="lines"/> output lines (debug lines left out):
    /// the host's own account of its pools is what tells why a wait on it failed.
    /// </summary>
    public InvalidOperationException WithOutput(Exception failure, int lines = 200)
    {
        var tail = string.Join(Environment.NewLine, Output.Split(Environment.NewLine).Where(l => !l.StartsWith("dbug:", StringComparison.Ordinal)).TakeLast(lines));
        return new InvalidOperationException($"{failure.Message}{Environment.NewLine}host {Pid}'s last output lines:{Environment.NewLine}{tail}", failure);
    }

    /// <summary>The base address of the process's health endpoints (<c>/healthz/live</c>, <c>/healthz/ready</c>), from its log.</summary>
    public Task<Uri> HealthAddressAsync(TimeSpan timeout) => _process.HealthAddressAsync(timeout);

    /// <summary>Sends a POSIX signal (TERM, INT) to the process.</summary>
    public void Signal(string signal) => _process.Signal(signal);

    /// <summary>SIGKILL: no exit hooks, no goodbye.</summary>
    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
