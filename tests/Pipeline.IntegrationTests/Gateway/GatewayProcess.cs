using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Gateway;

/// <summary>A real gateway process (<c>dotnet Pipeline.Gateway.dll</c>) on a free loopback port, serving the test app over the run's virtual host.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private const string Listening = "Now listening on: ";
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process)
    {
        _process = process;
    }

    public static string Built => Path.Combine(RepoPaths.Root, "src", "Gateway", "bin", RepoPaths.Configuration, "net10.0", "Pipeline.Gateway.dll");

    public Uri Address => _address.Task.Result;

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Starts a gateway with the token and extra settings (<c>Pipeline__Gateway__...</c> environment variables) and waits until it listens.</summary>
    public static async Task<GatewayProcess> StartAsync(Servers servers, string? token, IReadOnlyDictionary<string, string>? settings = null, IReadOnlyList<string>? args = null)
    {
        Assert.True(File.Exists(Built), $"{Built} is not built. Build the solution first (dotnet build Pipeline.sln -c {RepoPaths.Configuration}).");
        var info = new ProcessStartInfo("dotnet", [Built, .. args ?? []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Built)!,
        };
        info.Environment["Pipeline__Gateway__Urls"] = "http://127.0.0.1:0";
        info.Environment["Pipeline__Gateway__Apps__0"] = RepoPaths.TestApp;
        info.Environment["Pipeline__RabbitMq__ConnectionString"] = servers.RabbitMq;
        info.Environment["Pipeline__RabbitMq__ManagementUri"] = servers.ManagementUri.ToString();
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment.Remove("PIPELINE_GATEWAY_TOKEN");
        if (token is not null)
        {
            info.Environment["Pipeline__Gateway__Token"] = token;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var gateway = new GatewayProcess(process);
        process.OutputDataReceived += (_, e) => gateway.Add(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Add(e.Data);
        process.Exited += (_, _) =>
        {
            // Exited can come before the last output lines: WaitForExit() without a timeout waits for both streams' end.
            process.WaitForExit();
            gateway._address.TrySetException(new InvalidOperationException($"The gateway exited ({process.ExitCode}) before listening. Output:{Environment.NewLine}{gateway.Output}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await gateway._address.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return gateway;
    }

    /// <summary>A client for this gateway; with <paramref name="token"/> null it sends no Authorization header.</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        // Kept for reading after a failure, beside the workers' logs.
        var logs = Path.Combine(Path.GetTempPath(), "pipeline-itest-logs");
        Directory.CreateDirectory(logs);
        await File.WriteAllTextAsync(Path.Combine(logs, $"gateway-{_process.Id}.log"), Output);
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        var at = line.IndexOf(Listening, StringComparison.Ordinal);
        if (at >= 0)
        {
            _address.TrySetResult(new Uri(line[(at + Listening.Length)..].Trim()));
        }
    }
}
