namespace Pipeline.Bench.Report;

/// <summary>What a run was measured on: printed above the table and written at the top of the JSON file.</summary>
internal sealed record RunInfo(
    string Kind,
    DateTimeOffset StartedAt,
    string VirtualHost,
    string Cpu,
    int Cores,
    string OperatingSystem,
    string LoadAtStart,
    IReadOnlyDictionary<string, string> Versions,
    BenchSettings Settings)
{
    /// <summary>The load average at the end, filled in when the run is over.</summary>
    public string? LoadAtEnd { get; set; }

    /// <summary>How long the run took, filled in when it is over.</summary>
    public double? Seconds { get; set; }
}
