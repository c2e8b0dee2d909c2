using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>A real worker host process (<c>dotnet Pipeline.WorkerHost.dll</c>) serving the test app.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _lines = new(0);

    private WorkerProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public Task<int> Exited => _exited.Task;

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Starts a worker and waits until it hears pool notices (its broker connection is up).</summary>
    public static async Task<WorkerProcess> StartReadyAsync(Servers servers, string eventsDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var worker = Start(servers, eventsDirectory, settings);
        await worker.WaitForOutputAsync("listening for pool notices", TimeSpan.FromSeconds(60));
        return worker;
    }

    public static WorkerProcess Start(Servers servers, string eventsDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var info = new ProcessStartInfo("dotnet", [RepoPaths.WorkerHost])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.WorkerHost)!,
        };
        info.Environment["Pipeline__Worker__Apps__0"] = RepoPaths.TestApp;
        info.Environment["Pipeline__RabbitMq__ConnectionString"] = servers.RabbitMq;
        info.Environment["Pipeline__RabbitMq__ManagementUri"] = servers.ManagementUri.ToString();
        info.Environment["Pipeline__Results__ConnectionString"] = servers.Postgres;
        info.Environment["Pipeline__Results__Schema"] = servers.ResultsSchema;
        info.Environment["Pipeline__Retries__Schema"] = servers.RetriesSchema;
        info.Environment["Pipeline__Worker__ReconcileInterval"] = "00:00:01";
        info.Environment["Pipeline__Worker__ExitGracePeriod"] = "00:00:10";
        info.Environment["Pipeline__Worker__DetectGpus"] = "false";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment["PIPELINE_ITEST_EVENTS"] = eventsDirectory;
        info.Environment["PIPELINE_ITEST_GATES"] = servers.GatesDirectory;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Add(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Add(e.Data);
        process.Exited += (_, _) => worker._exited.TrySetResult(process.ExitCode);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits until the process printed a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!_output.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (_exited.Task.IsCompleted)
            {
                throw new InvalidOperationException($"Worker {Pid} exited ({_exited.Task.Result}) before printing '{text}'. Output:{Environment.NewLine}{Output}");
            }

            try
            {
                await _lines.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Worker {Pid} did not print '{text}' within {timeout}. Output:{Environment.NewLine}{Output}");
            }
        }
    }

    public int Count(string text) => _output.Count(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Sends a POSIX signal (TERM, INT) to the process.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no exit hooks, no goodbye.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        // Kept for reading after a failure: one log per worker process.
        var logs = Path.Combine(Path.GetTempPath(), "pipeline-itest-logs");
        Directory.CreateDirectory(logs);
        await File.WriteAllTextAsync(Path.Combine(logs, $"{Pid}.log"), Output);
        _process.Dispose();
        _lines.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        _lines.Release();
    }
}
