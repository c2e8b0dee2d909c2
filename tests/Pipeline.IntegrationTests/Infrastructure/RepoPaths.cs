using System.Reflection;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>Where the built worker host and test app are: the same configuration as this test assembly.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string WorkerHost => Built("src/WorkerHost", "Pipeline.WorkerHost.dll");

    public static string TestApp => Path.Combine(AppContext.BaseDirectory, "Pipeline.IntegrationTests.App.dll");

    private static string Built(string project, string file)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is not built. Build the solution first (dotnet build Pipeline.sln -c {Configuration}).", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Pipeline.sln not found above the test output directory.");
    }
}
