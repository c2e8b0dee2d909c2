using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Pipeline.Results;

namespace Pipeline.Scheduler;

/// <summary>
/// Settings of the scheduler service, bound from the <c>Pipeline:Scheduler</c> section. The schedules themselves are
/// under <c>Pipeline:Scheduler:Schedules:&lt;name&gt;</c> (see docs/schedules.md).
/// </summary>
public sealed partial class SchedulerOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Pipeline:Scheduler";

    /// <summary>Paths of the app assemblies whose functions are scheduled (their <c>[Schedule]</c> attributes count too). No default.</summary>
    public IList<string> Apps { get; } = [];

    /// <summary>
    /// The PostgreSQL that holds the clustered schedule store. Default: empty, meaning
    /// <c>Host=127.0.0.1;Port=5432;Username=pipeline;Password=pipeline;Database=pipeline</c>. Bound from configuration,
    /// where the <c>PIPELINE_POSTGRES</c> environment variable fills it unless a configuration source sets the key.
    /// Never logged, only its host, port, database and user.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The PostgreSQL schema of the store's tables (Quartz's <c>qrtz_*</c>), made at start-up when missing. ASCII letters,
    /// digits and underscores, not starting with a digit or <c>pg_</c>, at most 63 characters. Default: <c>pipeline_quartz</c>.
    /// </summary>
    public string Schema { get; set; } = "pipeline_quartz";

    /// <summary>The cluster's name: scheduler instances with the same name and store share the schedules and fire each occurrence once. Default: <c>pipeline</c>.</summary>
    public string ClusterName { get; set; } = "pipeline";

    /// <summary>This instance's id in the cluster. Default: empty, meaning <c>&lt;machine&gt;-&lt;process id&gt;-&lt;random&gt;</c>.</summary>
    public string? InstanceId { get; set; }

    /// <summary>How late a fire may be and still run as on time; a later one follows the schedule's Misfire policy. Default: 60 s (Quartz's).</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an instance records in the store that it is alive; another takes over its work after about this plus the same again. Default: 15 s.</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an idle instance looks in the store for fires another process added (an operator's <c>trigger</c>); 1 s to 5 min. Default: 5 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Keeps the store in memory (the embedded mode): no PostgreSQL, no cluster.</summary>
    internal bool InMemory { get; set; }

    /// <summary>The connection string in effect: the setting, else the local default.</summary>
    internal string EffectiveConnectionString =>
        !string.IsNullOrWhiteSpace(ConnectionString) ? ConnectionString.Trim() : PostgresResultStoreOptions.DefaultConnectionString;

    /// <summary>The store as it may be shown: host, port, database, user and schema, never the password.</summary>
    internal string Redacted
    {
        get
        {
            if (InMemory)
            {
                return "in memory";
            }

            try
            {
                var builder = new NpgsqlConnectionStringBuilder(EffectiveConnectionString);
                return string.Create(CultureInfo.InvariantCulture, $"PostgreSQL Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}, schema {Schema}, cluster {ClusterName}");
            }
            catch (ArgumentException)
            {
                return "(not a valid connection string)";
            }
        }
    }

    /// <summary>Checks the settings; each error names its key and never shows the connection string.</summary>
    /// <returns>The errors; empty when the settings are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!InMemory)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(EffectiveConnectionString);
            }
            catch (ArgumentException)
            {
                errors.Add($"{SectionName}:ConnectionString is not a valid PostgreSQL connection string (Key=Value pairs separated by ';'); it is read from the setting, else from the {PostgresResultStoreOptions.EnvironmentVariable} environment variable.");
            }

            if (string.IsNullOrEmpty(Schema) || Schema.Length > 63 || !Identifier().IsMatch(Schema) || Schema.StartsWith("pg_", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{SectionName}:Schema '{Schema}' is not a usable schema name: 1 to 63 ASCII letters, digits or underscores, not starting with a digit or 'pg_'.");
            }
        }

        if (string.IsNullOrWhiteSpace(ClusterName) || ClusterName.Length > 100)
        {
            errors.Add($"{SectionName}:ClusterName must be 1 to 100 characters (it was '{ClusterName}').");
        }

        if (InstanceId is { Length: > 100 })
        {
            errors.Add($"{SectionName}:InstanceId must be at most 100 characters.");
        }

        Range(errors, nameof(MisfireThreshold), MisfireThreshold, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Range(errors, nameof(CheckinInterval), CheckinInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Range(errors, nameof(PollInterval), PollInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        return errors;
    }

    private static void Range(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:{key} must be from {min:c} to {max:c} (it was {value:c})."));
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
