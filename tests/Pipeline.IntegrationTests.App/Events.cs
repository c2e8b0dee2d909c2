using System.Text;

namespace Pipeline.IntegrationTests.App;

/// <summary>
/// Writes what happened to a file per process in <c>PIPELINE_ITEST_EVENTS</c>, so tests see enter and exit from
/// outside the worker process: one line per event, <c>kind|subject|pid</c>.
/// </summary>
public static class Events
{
    private static readonly Lock Sync = new();

    /// <summary>The file whose existence lets <see cref="Work.GatedAsync"/> finish.</summary>
    public static string Gate(string tag) => Path.Combine(Environment.GetEnvironmentVariable("PIPELINE_ITEST_GATES") ?? Path.GetTempPath(), tag + ".gate");

    /// <summary>How many <paramref name="kind"/> events for <paramref name="subject"/> every process has written.</summary>
    public static int Count(string kind, string subject)
    {
        var directory = Environment.GetEnvironmentVariable("PIPELINE_ITEST_EVENTS");
        if (string.IsNullOrEmpty(directory))
        {
            return 0;
        }

        var line = $"{kind}|{subject}|";
        lock (Sync)
        {
            return Directory.GetFiles(directory, "*.events")
                .Sum(file => File.ReadLines(file).Count(l => l.StartsWith(line, StringComparison.Ordinal)));
        }
    }

    public static void Write(string kind, string subject)
    {
        var directory = Environment.GetEnvironmentVariable("PIPELINE_ITEST_EVENTS");
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        lock (Sync)
        {
            File.AppendAllText(Path.Combine(directory, $"{Environment.ProcessId}.events"), $"{kind}|{subject}|{Environment.ProcessId}\n", Encoding.UTF8);
        }
    }
}
