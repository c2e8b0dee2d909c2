using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>A real scheduler service process (<c>dotnet Pipeline.Scheduler.dll</c>) scheduling the test app's functions.</summary>
public sealed class SchedulerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SchedulerProcess(Process process)
    {
        _process = process;
    }

    public static string Executable => Path.Combine(RepoPaths.Root, "src/Scheduler/bin", RepoPaths.Configuration, "net10.0", "Pipeline.Scheduler.dll");

    public IReadOnlyList<string> Lines => [.. _output];

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Starts a scheduler on the run's broker and database, its store in <paramref name="storeSchema"/>, with the given settings (schedules).</summary>
    public static SchedulerProcess Start(Servers servers, string storeSchema, string eventsDirectory, IReadOnlyDictionary<string, string> settings)
    {
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException($"{Executable} is not built. Build the solution first (dotnet build Pipeline.sln -c {RepoPaths.Configuration}).", Executable);
        }

        var info = new ProcessStartInfo("dotnet", [Executable])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Executable)!,
        };
        info.Environment["Pipeline__Scheduler__Apps__0"] = RepoPaths.TestApp;
        info.Environment["Pipeline__Scheduler__ConnectionString"] = servers.Postgres;
        info.Environment["Pipeline__Scheduler__Schema"] = storeSchema;
        info.Environment["Pipeline__Scheduler__MisfireThreshold"] = "00:00:05";
        info.Environment["Pipeline__Scheduler__CheckinInterval"] = "00:00:02";
        info.Environment["Pipeline__Scheduler__PollInterval"] = "00:00:01";
        info.Environment["Pipeline__RabbitMq__ConnectionString"] = servers.RabbitMq;
        info.Environment["Pipeline__RabbitMq__ManagementUri"] = servers.ManagementUri.ToString();
        info.Environment["Pipeline__Results__ConnectionString"] = servers.Postgres;
        info.Environment["Pipeline__Results__Schema"] = servers.ResultsSchema;
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        info.Environment["PIPELINE_ITEST_EVENTS"] = eventsDirectory;
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var scheduler = new SchedulerProcess(process);
        process.OutputDataReceived += (_, e) => scheduler.Add(e.Data);
        process.ErrorDataReceived += (_, e) => scheduler.Add(e.Data);
        process.Exited += (_, _) => scheduler._exited.TrySetResult(process.ExitCode);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return scheduler;
    }

    /// <summary>Waits until the process printed a line containing <paramref name="text"/>; fails with its output if it exits first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        await Eventually.TrueAsync(
            () => _exited.Task.IsCompleted
                ? throw new InvalidOperationException($"Scheduler {_process.Id} exited before printing '{text}'. Output:{Environment.NewLine}{Output}")
                : _output.Any(line => line.Contains(text, StringComparison.Ordinal)),
            timeout,
            $"scheduler {_process.Id} printed '{text}'. Output:{Environment.NewLine}{Output}");
    }

    /// <summary>SIGTERM, then waits for the process to stop by itself (the service shuts Quartz down).</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var logs = Path.Combine(Path.GetTempPath(), "pipeline-itest-logs");
        Directory.CreateDirectory(logs);
        await File.WriteAllTextAsync(Path.Combine(logs, $"scheduler-{_process.Id}.log"), Output);
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
