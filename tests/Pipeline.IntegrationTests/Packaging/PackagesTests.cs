using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Packaging;

/// <summary>
/// The packages a user installs (docs/packages.md): <c>dotnet pack</c> of the solution, then a console app outside the
/// repository that references Pipeline.Abstractions and Pipeline.Embedded from a local feed of those packages, built
/// and run as a user would; then the <c>pipeline-app</c> template (templates/pipeline-app) installed into a template
/// store of the test's own, instantiated and built against the same feed. Needs the solution built first (as infra/test.sh does); no servers, but it joins a servers
/// collection so the run keeps exactly two lanes of integration tests (a collection of its own would take a third).
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class PackagesTests
{
    private static readonly string[] LibraryPackages =
        ["Pipeline.Abstractions", "Pipeline.Client", "Pipeline.WorkerHost", "Pipeline.Scheduler", "Pipeline.Embedded"];

    private static readonly string[] ToolPackages = ["Pipeline.Cli", "Pipeline.Gateway"];

    // Packed because the packages above depend on them (docs/packages.md).
    private static readonly string[] DependencyPackages =
        ["Pipeline.Messages", "Pipeline.Consumers", "Pipeline.Results", "Pipeline.RabbitMq", "Pipeline.Observability"];

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Pack_Solution_SampleBuiltFromLocalFeedRuns()
    {
        var work = Directory.CreateTempSubdirectory("pipeline-packages-");
        try
        {
            // A version of its own, so nothing in a NuGet cache can stand in for the packages packed here; a stable one,
            // as a user's `dotnet pack` makes, so rules that hold only for stable packages (NU5104) are checked too.
            var now = DateTime.UtcNow;
            var suffix = string.Create(CultureInfo.InvariantCulture, $"0.{now:yyMMdd}.{now:HHmmss}{Environment.ProcessId % 100:00}");
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            var pack = await DotnetCommand.RunAsync(
                ["pack", Path.Combine(RepoPaths.Root, "Pipeline.sln"), "-c", RepoPaths.Configuration, "--no-build", "-o", feed, $"-p:PackageVersion={suffix}"],
                RepoPaths.Root,
                BuildEnvironment(),
                CommandTimeout);
            Assert.True(pack.ExitCode == 0, $"dotnet pack failed ({pack.ExitCode}); build the solution first (dotnet build Pipeline.sln -c {RepoPaths.Configuration}). Output:\n{pack.Output}");

            var version = PackedVersion(feed, suffix);
            foreach (var id in LibraryPackages.Concat(ToolPackages).Concat(DependencyPackages))
            {
                AssertPackage(feed, id, version, isTool: ToolPackages.Contains(id));
            }

            Assert.Equal(
                LibraryPackages.Concat(ToolPackages).Concat(DependencyPackages).Order(StringComparer.Ordinal),
                Directory.GetFiles(feed, "*.nupkg").Select(p => Path.GetFileName(p)[..^$".{version}.nupkg".Length]).Order(StringComparer.Ordinal));
            Assert.Contains(
                ("Pipeline.Messages", version),
                Dependencies(Nuspec(feed, "Pipeline.Client", version)));

            var output = await BuildAndRunSampleAsync(work.FullName, feed, version);
            Assert.Contains("square(7) = 49", output, StringComparison.Ordinal);

            await InstantiateAndBuildTemplateAsync(work.FullName, feed, version);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<string> BuildAndRunSampleAsync(string work, string feed, string version)
    {
        var sample = Directory.CreateDirectory(Path.Combine(work, "sample")).FullName;
        var packages = Path.Combine(work, "nuget-packages");
        await WriteNuGetConfigAsync(sample, feed);
        await File.WriteAllTextAsync(Path.Combine(sample, "Sample.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Pipeline.Abstractions" Version="{version}" />
                <PackageReference Include="Pipeline.Embedded" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(sample, "Program.cs"), """
            using Pipeline;
            using Pipeline.Embedded;

            [assembly: App("sample")]

            await using var pipeline = await EmbeddedPipeline.StartAsync([typeof(Jobs).Assembly]);
            var square = await pipeline.Client.Function("sample", "square").RemoteAsync<int>([7]);
            Console.WriteLine($"square(7) = {square}");

            public static class Jobs
            {
                [Function]
                public static int Square(int x) => x * x;
            }
            """);

        var environment = BuildEnvironment();
        environment["NUGET_PACKAGES"] = packages;
        var build = await DotnetCommand.RunAsync(["build", "-c", "Release"], sample, environment, CommandTimeout);
        Assert.True(build.ExitCode == 0, $"The sample did not build against the packed packages ({build.ExitCode}). Output:\n{build.Output}");
        Assert.True(
            File.Exists(Path.Combine(packages, "pipeline.embedded", version, $"pipeline.embedded.{version}.nupkg")),
            $"Pipeline.Embedded {version} was not restored from the local feed into {packages}.");

        var run = await DotnetCommand.RunAsync(
            [Path.Combine(sample, "bin", "Release", "net10.0", "Sample.dll")], sample, environment, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"The sample exited with {run.ExitCode}. Output:\n{run.Output}");
        return run.Output;
    }

    private static async Task InstantiateAndBuildTemplateAsync(string work, string feed, string version)
    {
        // A template store of its own (--debug:custom-hive), so the machine's `dotnet new` list is left as it was.
        var hive = Path.Combine(work, "template-hive");
        var created = Path.Combine(work, "acme");
        var environment = BuildEnvironment();
        var install = await DotnetCommand.RunAsync(
            ["new", "install", Path.Combine(RepoPaths.Root, "templates", "pipeline-app"), "--debug:custom-hive", hive], work, environment, CommandTimeout);
        Assert.True(install.ExitCode == 0, $"dotnet new install failed ({install.ExitCode}). Output:\n{install.Output}");
        var instantiate = await DotnetCommand.RunAsync(
            ["new", "pipeline-app", "-n", "Acme", "-o", created, "--PipelineVersion", version, "--debug:custom-hive", hive], work, environment, CommandTimeout);
        Assert.True(instantiate.ExitCode == 0, $"dotnet new pipeline-app failed ({instantiate.ExitCode}). Output:\n{instantiate.Output}");

        await WriteNuGetConfigAsync(created, feed);
        environment["NUGET_PACKAGES"] = Path.Combine(work, "nuget-packages");
        foreach (var project in new[] { "Acme.App", "Acme.Service" })
        {
            var build = await DotnetCommand.RunAsync(["build", Path.Combine(created, project, project + ".csproj"), "-c", "Release"], created, environment, CommandTimeout);
            Assert.True(build.ExitCode == 0, $"The template's {project} did not build against the packed packages ({build.ExitCode}). Output:\n{build.Output}");
        }

        Assert.Contains("client.Function<IJobs>()", await File.ReadAllTextAsync(Path.Combine(created, "Acme.Service", "Program.cs")), StringComparison.Ordinal);
        Assert.True(
            File.Exists(Path.Combine(work, "nuget-packages", "pipeline.client", version, $"pipeline.client.{version}.nupkg")),
            $"Pipeline.Client {version} was not restored from the local feed.");
    }

    private static Task WriteNuGetConfigAsync(string folder, string feed)
    {
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        // The local feed first; the machine's own sources (its NuGet.Config) and, read-only, its package cache for the
        // rest, so MassTransit and friends need no download. The packed packages land in a cache of this test's own.
        return File.WriteAllTextAsync(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="pipeline-packed" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine-cache" value="{machineCache}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    private static void AssertPackage(string feed, string id, string version, bool isTool)
    {
        var path = Path.Combine(feed, $"{id}.{version}.nupkg");
        Assert.True(File.Exists(path), $"{id} {version} was not packed. Packed: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        using (var package = ZipFile.OpenRead(path))
        {
            Assert.True(package.GetEntry("README.md") is { Length: > 0 }, $"{id} has no README.md.");
        }

        var nuspec = Nuspec(feed, id, version);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.Equal("Apache-2.0", metadata.Element(ns + "license")?.Value);
        Assert.Equal("git", metadata.Element(ns + "repository")?.Attribute("type")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), $"{id} has no description.");
        Assert.Equal(
            isTool,
            metadata.Element(ns + "packageTypes")?.Elements(ns + "packageType").Any(t => (string?)t.Attribute("name") == "DotnetTool") ?? false);
        if (!isTool)
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.snupkg")), $"{id} has no symbol package (.snupkg).");
        }
    }

    private static string PackedVersion(string feed, string suffix)
    {
        const string Prefix = "Pipeline.Abstractions.";
        var file = Directory.GetFiles(feed, $"{Prefix}{suffix}.nupkg").Select(Path.GetFileName).SingleOrDefault();
        Assert.True(file is not null, $"No Pipeline.Abstractions package of version {suffix}: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        return file[Prefix.Length..^".nupkg".Length];
    }

    private static XDocument Nuspec(string feed, string id, string version)
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{version}.nupkg"));
        using var stream = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(stream);
    }

    private static List<(string Id, string Version)> Dependencies(XDocument nuspec) =>
        nuspec.Descendants(nuspec.Root!.Name.Namespace + "dependency")
            .Select(d => ((string)d.Attribute("id")!, (string)d.Attribute("version")!))
            .ToList();

    // The test host runs under `dotnet test`, whose MSBuild variables would point the child commands at its own build.
    private static Dictionary<string, string?> BuildEnvironment() => new()
    {
        ["MSBuildSDKsPath"] = null,
        ["MSBuildExtensionsPath"] = null,
        ["MSBUILD_EXE_PATH"] = null,
    };
}
