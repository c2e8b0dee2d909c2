using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// A child <c>dotnet</c> process of the tests (worker host, scheduler, gateway): its stdout and stderr lines kept for
/// waits and failure messages, signals, and at dispose a kill if it still runs and its output in a log file.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly string _logPrefix;
    private readonly ConcurrentQueue<string> _output = new();
    private TaskCompletionSource _nextLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(ProcessStartInfo info, string name, string logPrefix)
    {
        _name = name;
        _logPrefix = logPrefix;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Exited = ExitAsync();
    }

    public int Pid => _process.Id;

    /// <summary>The exit code, once the process exited and both its output streams ended: every line is in <see cref="Output"/> by then.</summary>
    public Task<int> Exited { get; }

    public IReadOnlyList<string> Lines => [.. _output];

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> in the dll's folder with single-line console logs,
    /// <paramref name="environment"/> (a null value removes an inherited variable) and then <paramref name="settings"/>.
    /// <paramref name="name"/> names it in failure messages; its log is <c>pipeline-itest-logs/{logPrefix}{pid}.log</c> in the temp folder.
    /// <paramref name="launcher"/> is a command that runs it (<c>ip netns exec ns</c>); it must exec, so the pid stays the process's.
    /// </summary>
    public static ChildProcess Start(
        string name,
        string dll,
        IReadOnlyDictionary<string, string?> environment,
        IReadOnlyDictionary<string, string>? settings,
        string logPrefix,
        IReadOnlyList<string>? args = null,
        IReadOnlyList<string>? launcher = null)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built. Build the solution first (dotnet build Pipeline.sln -c {RepoPaths.Configuration}).", dll);
        }

        string[] command = launcher is { Count: > 0 } ? [.. launcher, "dotnet", dll, .. args ?? []] : ["dotnet", dll, .. args ?? []];
        var info = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new ChildProcess(info, name, logPrefix);
    }

    /// <summary>Waits until the process printed a line containing <paramref name="text"/> and returns that line; fails with its output if it exits first.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            // Read before the lines, so a line added after the scan below still wakes this wait.
            var nextLine = Volatile.Read(ref _nextLine).Task;
            var exited = Exited.IsCompleted;
            var line = _output.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            if (exited)
            {
                throw new InvalidOperationException($"{_name} {Pid} exited ({await Exited}) before printing '{text}'. Output:{Environment.NewLine}{Output}");
            }

            try
            {
                await Task.WhenAny(nextLine, Exited).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_name} {Pid} did not print '{text}' within {timeout}. Output:{Environment.NewLine}{Output}");
            }
        }
    }

    /// <summary>The base address of the process's health endpoints, read from the line it logs once they listen (their port is picked at start).</summary>
    public async Task<Uri> HealthAddressAsync(TimeSpan timeout)
    {
        const string Marker = "Health endpoints on ";
        var line = await WaitForOutputAsync(Marker, timeout);
        var addresses = line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..];
        var first = addresses[..addresses.IndexOf(": /healthz", StringComparison.Ordinal)].Split(", ")[0];
        return new Uri(first.TrimEnd('/') + "/");
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
        }

        await Exited.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);

        // Kept for reading after a failure: one log per process.
        var logs = Path.Combine(Path.GetTempPath(), "pipeline-itest-logs");
        Directory.CreateDirectory(logs);
        await File.WriteAllTextAsync(Path.Combine(logs, $"{_logPrefix}{Pid}.log"), Output);
        _process.Dispose();
    }

    private async Task<int> ExitAsync()
    {
        // The Exited event can come before the last output lines: WaitForExitAsync also waits for both streams' end.
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        Interlocked.Exchange(ref _nextLine, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
