using Microsoft.Extensions.Configuration;
using Pipeline.Client.Hosting;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Cli.Hosting;

/// <summary>
/// Where the command connects and which apps it knows, from (last wins) <c>appsettings.json</c> in the current directory,
/// environment variables (<c>Pipeline__RabbitMq__ConnectionString</c>, or <c>PIPELINE_RABBITMQ</c> and <c>PIPELINE_POSTGRES</c>
/// as everywhere in Pipeline) and the global options <c>--rabbitmq</c>, <c>--postgres</c> and <c>--app-assembly</c>.
/// </summary>
internal sealed class CliSettings
{
    /// <summary>The configuration section of the command's own settings.</summary>
    public const string Section = "Pipeline:Cli";

    /// <summary>The key of the app assemblies; also the name the loader's errors use.</summary>
    public const string AppsKey = Section + ":Apps";

    /// <summary>The key of <see cref="ConnectTimeout"/>.</summary>
    public const string ConnectTimeoutKey = Section + ":ConnectTimeout";

    private CliSettings(IConfigurationRoot configuration, RabbitMqOptions rabbit, PostgresResultStoreOptions results, IReadOnlyList<string> apps, TimeSpan connectTimeout)
    {
        ConnectTimeout = connectTimeout;
        Configuration = configuration;
        RabbitMq = rabbit;
        Results = results;
        AppPaths = apps;
        RabbitMqSource = Source(configuration, RabbitMarker, "--rabbitmq", RabbitMqOptions.SectionName + ":ConnectionString", RabbitMqOptions.EnvironmentVariable);
        PostgresSource = Source(configuration, OverrideMarker, "--postgres", PostgresResultStoreOptions.SectionName + ":ConnectionString", PostgresResultStoreOptions.EnvironmentVariable);
    }

    /// <summary>The whole configuration, for the pieces that bind their own sections (the scheduler's store).</summary>
    public IConfigurationRoot Configuration { get; }

    public RabbitMqOptions RabbitMq { get; }

    public PostgresResultStoreOptions Results { get; }

    /// <summary>Where the broker's address came from, as a user fixes it: <c>--rabbitmq</c>, a setting, or the environment variable.</summary>
    public string RabbitMqSource { get; }

    /// <summary>Where the results store's connection string came from, as a user fixes it.</summary>
    public string PostgresSource { get; }

    /// <summary>
    /// The PostgreSQL of the schedule store, as the scheduler resolves it: <c>Pipeline:Scheduler:ConnectionString</c>
    /// (which <c>--postgres</c> sets too, and <c>PIPELINE_POSTGRES</c> fills under every other source), else the local default.
    /// </summary>
    public (string ConnectionString, string Source) Scheduler =>
        (PostgresResultStoreOptions.ResolveConnectionString(Configuration[SchedulerKey], null),
         Source(Configuration, OverrideMarker, "--postgres", SchedulerKey, PostgresResultStoreOptions.EnvironmentVariable));

    /// <summary>
    /// How long each server has to answer before the verb says it is unreachable (exit 3): <c>Pipeline:Cli:ConnectTimeout</c>
    /// (env <c>Pipeline__Cli__ConnectTimeout</c>), 15 s unless set.
    /// </summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>Paths of app assemblies: <c>--app-assembly</c>, else <c>Pipeline:Cli:Apps</c>.</summary>
    public IReadOnlyList<string> AppPaths { get; }

    private const string SchedulerKey = "Pipeline:Scheduler:ConnectionString";

    // Set when --rabbitmq gave the broker's address.
    private const string RabbitMarker = "Pipeline:Cli:RabbitMqGiven";

    // Set when --postgres gave the connection string, so the scheduler's copy of it is reported as --postgres.
    private const string OverrideMarker = "Pipeline:Cli:PostgresGiven";

    /// <summary>Reads the settings; a bad value is a usage error that names its key.</summary>
    public static CliSettings Read(string? rabbitMq, string? postgres, IReadOnlyList<string> appAssemblies)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(rabbitMq))
        {
            overrides[RabbitMqOptions.SectionName + ":ConnectionString"] = rabbitMq;
            overrides[RabbitMarker] = "true";
        }

        if (!string.IsNullOrWhiteSpace(postgres))
        {
            overrides[PostgresResultStoreOptions.SectionName + ":ConnectionString"] = postgres;
            overrides[SchedulerKey] = postgres;
            overrides[OverrideMarker] = "true";
        }

        var configuration = new ConfigurationBuilder()
            .AddPipelineEnvironment()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();

        RabbitMqOptions rabbit;
        PostgresResultStoreOptions results;
        try
        {
            rabbit = configuration.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
            results = configuration.GetSection(PostgresResultStoreOptions.SectionName).Get<PostgresResultStoreOptions>() ?? new PostgresResultStoreOptions();
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key and the value it could not convert.
            throw new CliException(e.Message, ExitCodes.Usage);
        }

        var problems = rabbit.Validate().Concat(results.Validate()).ToList();
        if (problems.Count > 0)
        {
            throw new CliException(string.Join(" ", problems), ExitCodes.Usage);
        }

        // --app-assembly replaces the configured list rather than adding to it (arrays bind by index).
        var apps = appAssemblies.Count > 0
            ? appAssemblies
            : configuration.GetSection(AppsKey).GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0).ToList();
        return new CliSettings(configuration, rabbit, results, apps, ReadConnectTimeout(configuration));
    }

    // A deadline a person can wait for, and that a process starting on a loaded machine can meet.
    private static TimeSpan ReadConnectTimeout(IConfigurationRoot configuration)
    {
        if (configuration[ConnectTimeoutKey] is not { Length: > 0 } text)
        {
            return Reachability.DefaultDeadline;
        }

        if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var timeout) || timeout < TimeSpan.FromSeconds(1) || timeout > TimeSpan.FromMinutes(10))
        {
            throw new CliException($"{ConnectTimeoutKey} is '{text}': write a duration from 00:00:01 to 00:10:00 (hh:mm:ss), e.g. 00:00:15", ExitCodes.Usage);
        }

        return timeout;
    }

    // The option, else the source that set the key (the setting, or the environment variable mapped to it), else the default.
    private static string Source(IConfigurationRoot configuration, string marker, string option, string key, string variable) =>
        configuration[marker] is not null ? option
            : configuration.Providers.Reverse().FirstOrDefault(p => p.TryGet(key, out var value) && !string.IsNullOrWhiteSpace(value)) switch
            {
                null => $"{variable} (or {option})",
                PipelineEnvironmentProvider => variable,
                _ => key,
            };
}
