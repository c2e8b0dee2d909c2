using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Pipeline.Results;

/// <summary>
/// Settings of <see cref="PostgresResultStore"/>; bound from the <c>Pipeline:Results</c> configuration section.
/// </summary>
public sealed partial class PostgresResultStoreOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pipeline:Results";

    /// <summary>
    /// The environment variable that fills <see cref="ConnectionString"/> when no configuration source sets it: mapped
    /// by Pipeline's configuration source (<c>AddPipelineEnvironment</c>, which <c>AddPipeline</c> adds), never read here.
    /// </summary>
    public const string EnvironmentVariable = "PIPELINE_POSTGRES";

    /// <summary>The server <c>infra/up.sh</c> starts, used when neither the setting nor the environment variable is set.</summary>
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=pipeline;Password=pipeline;Database=pipeline";

    private static readonly string[] PoolSizeKeywords = ["Maximum Pool Size", "MaxPoolSize"];

    // PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes; refusing them beats using a different name than configured.
    private const int MaxIdentifierLength = 63;

    /// <summary>
    /// The Npgsql connection string (<c>Host=...;Port=...;Username=...;Password=...;Database=...</c>).
    /// Default: empty, meaning <c>Host=127.0.0.1;Port=5432;Username=pipeline;Password=pipeline;Database=pipeline</c>
    /// where a store is opened (a worker host or client without it keeps results in memory). Bound from configuration,
    /// where the <c>PIPELINE_POSTGRES</c> environment variable fills it unless a configuration source sets the key.
    /// It holds a password: Pipeline never logs it, only host, port, database and user.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The PostgreSQL schema holding the <c>calls</c> table; created on first use. ASCII letters, digits and underscores,
    /// not starting with a digit or <c>pg_</c>, at most 63 characters; used quoted, so case matters. Default: <c>pipeline</c>.
    /// </summary>
    public string Schema { get; set; } = "pipeline";

    /// <summary>How long a finished call's result is kept, counted from when it was recorded. Default: 7 days (Modal's rule).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How often a waiting <see cref="PostgresResultStore.GetAsync"/> looks again when no notification came: the bound on how late
    /// a missed notification makes it. Default: 200 ms.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The least time between two automatic purges of expired results by one store. Default: 1 hour.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The connections one store opens at most (its LISTEN connection included), unless the connection string sets
    /// <c>Maximum Pool Size</c>. A worker host opens every PostgreSQL connection of its process through this one pool (the
    /// results store, its LISTEN connection and the retry delays' Hangfire storage), so this is the most a host process
    /// holds. Npgsql's default of 100 per process let a client and a host with hundreds of spawns in flight take all of
    /// PostgreSQL's default 100 connections (<c>53300: remaining connection slots are reserved</c>); with 20, calls wait
    /// their turn for a connection instead.
    /// </summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>The connection string in effect: the setting, else the default.</summary>
    internal string EffectiveConnectionString => ResolveConnectionString(ConnectionString, null);

    /// <summary>The connection string the store opens: <see cref="EffectiveConnectionString"/> with the pool capped at <see cref="DefaultMaxPoolSize"/> unless it says otherwise.</summary>
    internal string PooledConnectionString
    {
        get
        {
            // Npgsql's builder answers every keyword it knows as present: look at what the string itself says.
            var given = new DbConnectionStringBuilder { ConnectionString = EffectiveConnectionString };
            var builder = new NpgsqlConnectionStringBuilder(EffectiveConnectionString);
            if (!PoolSizeKeywords.Any(given.ContainsKey))
            {
                builder.MaxPoolSize = DefaultMaxPoolSize;
            }

            return builder.ConnectionString;
        }
    }

    /// <summary>
    /// A data source (connection pool) on <see cref="PooledConnectionString"/>. A process makes one and shares it: the
    /// results store, its LISTEN connection, Hangfire's retry delays and the scheduler's Quartz store all take their
    /// connections from it, so the process holds at most its Maximum Pool Size.
    /// </summary>
    internal NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(PooledConnectionString);

    /// <summary>Host, port, database and user of the connection string: the only form of it that may be logged or shown.</summary>
    internal string Redacted
    {
        get
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(EffectiveConnectionString);
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}");
            }
            catch (ArgumentException)
            {
                // An unparseable string may still hold a password: show nothing of it.
                return "(not a valid connection string)";
            }
        }
    }

    /// <summary>Checks the settings; each error names its key and never shows the connection string.</summary>
    /// <returns>The errors; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        try
        {
            _ = new NpgsqlConnectionStringBuilder(EffectiveConnectionString);
        }
        catch (ArgumentException)
        {
            // The parser's message may quote the offending value, which could be the password: say only where to look.
            errors.Add(
                $"{SectionName}:ConnectionString is not a valid PostgreSQL connection string (Key=Value pairs separated by ';'); " +
                $"it is read from the setting, else from the {EnvironmentVariable} environment variable.");
        }

        if (SchemaError(Schema) is { } schemaError)
        {
            errors.Add(schemaError);
        }

        AddIfNotPositive(errors, nameof(Retention), Retention);
        AddIfNotPositive(errors, nameof(PollInterval), PollInterval);
        AddIfNotPositive(errors, nameof(PurgeInterval), PurgeInterval);
        return errors;
    }

    /// <summary>The setting when set, else the environment variable when set, else <see cref="DefaultConnectionString"/>.</summary>
    internal static string ResolveConnectionString(string? configured, string? fromEnvironment) =>
        !string.IsNullOrWhiteSpace(configured) ? configured.Trim()
        : !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment.Trim()
        : DefaultConnectionString;

    /// <summary>Why <paramref name="schema"/> cannot be a schema name, or null when it can.</summary>
    internal static string? SchemaError(string? schema)
    {
        const string Rule = "it must be 1 to 63 ASCII letters, digits or underscores, not starting with a digit";
        if (string.IsNullOrEmpty(schema))
        {
            return $"{SectionName}:Schema is empty; {Rule}.";
        }

        // The name is put into SQL text (identifiers cannot be parameters), so only this safe alphabet ever gets there.
        if (schema.Length > MaxIdentifierLength || !IdentifierPattern().IsMatch(schema))
        {
            return $"{SectionName}:Schema '{Printable(schema)}' is not a valid schema name; {Rule}.";
        }

        if (schema.StartsWith("pg_", StringComparison.OrdinalIgnoreCase))
        {
            return $"{SectionName}:Schema '{schema}' starts with 'pg_', which PostgreSQL reserves for system schemas.";
        }

        return null;
    }

    private static void AddIfNotPositive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{key} must be more than zero (it was {value.ToString("c", CultureInfo.InvariantCulture)}).");
        }
    }

    // The rejected name goes into an exception message: cut it short and make control characters visible.
    private static string Printable(string text)
    {
        var shown = text.Length > 80 ? text[..80] + "..." : text;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
