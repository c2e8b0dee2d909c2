namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>Reads what the test app's worker processes wrote (<c>kind|subject|pid</c> lines), for one test.</summary>
public sealed class EventLog : IDisposable
{
    public EventLog()
    {
        Directory = Path.Combine(Path.GetTempPath(), "pipeline-itest-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public IReadOnlyList<(string Kind, string Subject, int Pid)> Read()
    {
        var events = new List<(string, string, int)>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.events"))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var parts = line.Split('|');
                if (parts.Length == 3)
                {
                    events.Add((parts[0], parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }

        return events;
    }

    public int Count(string kind, string subject) => Read().Count(e => e.Kind == kind && e.Subject == subject);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A worker may still hold a file open; the temp folder is cleaned by the OS.
        }
    }
}
