using Microsoft.Extensions.Logging;

namespace Pipeline.Bench.Subjects;

/// <summary>The worker hosts' log level for this run: Warning, or Information with <c>--verbose</c>.</summary>
internal static class BenchLogging
{
    public static LogLevel HostLevel { get; set; } = LogLevel.Warning;
}
