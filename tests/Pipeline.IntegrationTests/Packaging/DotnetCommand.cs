using System.Diagnostics;
using System.Text;

namespace Pipeline.IntegrationTests.Packaging;

/// <summary>
/// Runs one <c>dotnet</c> command (pack, restore, build, a built program) to its end within a deadline, with its
/// output kept for assertions and failure messages; past the deadline it kills the command's process tree.
/// </summary>
internal static class DotnetCommand
{
    /// <summary>What a finished command left: its exit code and its stdout and stderr lines, interleaved.</summary>
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(
        IReadOnlyList<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet", args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };

        // MSBuild's node reuse and build server would outlive the command (and keep its files open).
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
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

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish within {timeout}. Output:{Environment.NewLine}{Read(output)}");
        }

        return new Result(process.ExitCode, Read(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
