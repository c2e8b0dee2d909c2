using System.Diagnostics;
using System.Text;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.Cli.Tests.Infrastructure;

/// <summary>The built <c>pipeline</c> command, run as a user runs it: <c>dotnet pipeline.dll ...</c>.</summary>
public static class CliProcess
{
    public static string Path { get; } = Built();

    /// <summary>Runs the command to its end (at most a minute) with standard input closed; output is redirected, as in a script.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> args)
    {
        using var process = Start(environment, args);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pipeline {string.Join(' ', args)} did not end within a minute. Output: {await output} {await error}");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }

    /// <summary>Runs another program (such as script(1) wrapping the command) to its end, at most a minute, with standard input closed.</summary>
    public static async Task<CliRun> RunProgramAsync(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not end within a minute. Output: {await output} {await error}");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the command with redirected standard input, output and error, for a test that talks to it.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }

    private static string Built()
    {
        var path = System.IO.Path.Combine(RepoPaths.Root, "src", "Cli", "bin", RepoPaths.Configuration, "net10.0", "pipeline.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built: build tests/Pipeline.Cli.Tests (it builds the command first).", path);
    }
}

/// <summary>How a run of the command ended.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
