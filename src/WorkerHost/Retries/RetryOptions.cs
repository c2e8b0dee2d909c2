using System.Text.RegularExpressions;

namespace Pipeline.WorkerHost.Retries;

/// <summary>
/// Durable retry delays, bound from <c>Pipeline:Retries</c>. They use the PostgreSQL of <c>Pipeline:Results</c>
/// (or <c>PIPELINE_POSTGRES</c>); without it, retry delays are held in memory (see <c>docs/worker-hosts.md</c>).
/// </summary>
public sealed partial class RetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Pipeline:Retries";

    /// <summary>The PostgreSQL schema of the delayed-delivery jobs (Hangfire's tables); created on start. Default <c>pipeline_retries</c>.</summary>
    public string Schema { get; set; } = "pipeline_retries";

    /// <summary>How often due retries are looked for: the most a retry is late. Default 1 s; 100 ms to 1 min.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retries sent at once by this host. Default 2; 1 to 64.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>The errors, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!SchemaName().IsMatch(Schema ?? string.Empty))
        {
            errors.Add($"{Section}:Schema '{Schema}' is not a plain PostgreSQL name: use 1 to 63 ASCII letters, digits or underscores, not starting with a digit.");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(100) || PollInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{Section}:PollInterval {PollInterval} is out of range: use 00:00:00.1 to 00:01:00.");
        }

        if (Workers is < 1 or > 64)
        {
            errors.Add($"{Section}:Workers {Workers} is out of range: use 1 to 64.");
        }

        return errors;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
