using System.Diagnostics;
using Pipeline.Cli.Hosting;

namespace Pipeline.Cli.Dev;

/// <summary>Turns what <c>pipeline dev</c> was given into a built assembly: a .dll as it is, a project (or its folder) built first.</summary>
internal static class AppBuilder
{
    public static async Task<string> AssemblyAsync(string given, TextWriter progress, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(given);
        if (File.Exists(path) && path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return path;
        }

        var project = Directory.Exists(path) ? Directory.GetFiles(path, "*.csproj") switch
        {
            [var single] => single,
            [] => throw new CliException($"'{given}' holds no .csproj; give the app's project or its built .dll", ExitCodes.Usage),
            var several => throw new CliException($"'{given}' holds {several.Length} projects; name one of them: {string.Join(", ", several.Select(Path.GetFileName))}", ExitCodes.Usage),
        }
        : File.Exists(path) && path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) ? path
        : throw new CliException($"'{given}' is neither an app project (.csproj or its folder) nor a built app assembly (.dll) (resolved to '{path}')", ExitCodes.Usage);

        await progress.WriteLineAsync($"building {project} ...");
        var (built, log) = await DotnetAsync(["build", project, "-c", "Debug", "-nologo", "-v", "q"], cancellationToken);
        if (!built)
        {
            await progress.WriteLineAsync(log);
            throw new CliException($"{Path.GetFileName(project)} did not build (the compiler's messages are above)", ExitCodes.Usage);
        }

        var (found, target) = await DotnetAsync(["msbuild", project, "-getProperty:TargetPath", "-p:Configuration=Debug", "-nologo"], cancellationToken);
        var dll = target.Trim();
        return found && File.Exists(dll) ? dll : throw new CliException($"built {Path.GetFileName(project)}, but could not find its assembly ({dll})", ExitCodes.Failed);
    }

    private static async Task<(bool Ok, string Output)> DotnetAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new CliException("could not start dotnet to build the app");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode == 0, await output + await error);
    }
}
