using System.Collections.Concurrent;
using System.Diagnostics;
using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Dev;

[Collection(OfflineGroup.Name)]
public sealed class DevCommandTests
{
    [Fact]
    public async Task Dev_CallThenCtrlC_PrintsLifecycleAndResultAndRunsExitHooks()
    {
        // dev needs no server: it runs the app embedded. Point the command at nothing, to show it.
        var environment = new Dictionary<string, string> { ["PIPELINE_RABBITMQ"] = "amqp://guest:guest@127.0.0.1:1/" };
        using var process = CliProcess.Start(environment, ["dev", CliFixture.App]);
        var lines = new ConcurrentQueue<string>();
        using var arrived = new SemaphoreSlim(0);
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitForAsync("ready: app cliapp");
            await process.StandardInput.WriteLineAsync("counter.add --param name=dev 2");
            await process.StandardInput.FlushAsync();
            await WaitForAsync("counter.add --param name=dev 2 -> 2");

            // SIGTERM, which dev handles exactly as Ctrl-C (one handler for both): a process started from one of MSBuild's
            // worker nodes in the full suite can inherit SIGINT as ignored (as under nohup), and .NET leaves an inherited
            // ignored SIGINT ignored, so a SIGINT here tested the test runner, not dev (it hung twice in the full suite only).
            using var signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

            // Generous: on a loaded shared machine the stop (exit hooks, bus, in-memory scheduler) can be starved for a while.
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await signal!.WaitForExitAsync(exited.Token);
            try
            {
                await process.WaitForExitAsync(exited.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"pipeline dev did not exit within 90 s of SIGTERM:\n{string.Join('\n', lines)}");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var output = string.Join('\n', lines);
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("enter hook ran for dev", output, StringComparison.Ordinal);
        Assert.Matches(@"Container ct-\w+ for cliapp\.counter\.p-\w+ ready after", output);
        Assert.Matches(@"Call fc-\w+ to cliapp\.counter\.add Succeeded after 1 attempt\(s\)", output);
        Assert.Contains("exit hook ran for dev", output, StringComparison.Ordinal);
        Assert.True(
            output.IndexOf("stopping:", StringComparison.Ordinal) < output.IndexOf("exit hook ran for dev", StringComparison.Ordinal)
            && output.IndexOf("exit hook ran for dev", StringComparison.Ordinal) < output.LastIndexOf("stopped", StringComparison.Ordinal),
            output);

        void Add(string? line)
        {
            if (line is not null)
            {
                lines.Enqueue(line);
                arrived.Release();
            }
        }

        async Task WaitForAsync(string text)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                Assert.False(process.HasExited, $"pipeline dev exited before printing '{text}':\n{string.Join('\n', lines)}");
                try
                {
                    await arrived.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail($"pipeline dev did not print '{text}' within 60 s:\n{string.Join('\n', lines)}");
                }
            }
        }
    }

    [Fact]
    public async Task Dev_NotAnAppPath_ExitsTwo()
    {
        var run = await CliProcess.RunAsync(new Dictionary<string, string>(), ["dev", "/no/such/app"]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: '/no/such/app' is neither an app project", run.Error, StringComparison.Ordinal);
    }
}
