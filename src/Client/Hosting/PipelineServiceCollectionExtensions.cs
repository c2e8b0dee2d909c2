using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Messages.Manifests;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Client.Hosting;

/// <summary>The one registration root: <c>services.AddPipeline(configuration).AddClient(...)</c>, then the other parts.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Starts Pipeline's registration on <paramref name="configuration"/> (its <c>Pipeline</c> section), with Pipeline's
    /// environment variables (<c>PIPELINE_RABBITMQ</c>, <c>PIPELINE_POSTGRES</c>, <c>PIPELINE_GATEWAY_TOKEN</c>) under
    /// it (<see cref="PipelineConfigurationExtensions.AddPipelineEnvironment(IConfigurationBuilder)"/>): a key set in the configuration wins over
    /// the variable. Safe to call twice: the second call returns a builder over the same registrations.
    /// <code>
    /// builder.Services.AddPipeline(builder.Configuration).AddClient(AppManifests.From(typeof(Model).Assembly));
    /// </code>
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration holding the <c>Pipeline</c> section.</param>
    /// <returns>The builder the parts are added to.</returns>
    public static PipelineBuilder AddPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        return new PipelineBuilder(services, configuration.WithPipelineEnvironment());
    }

    /// <summary>
    /// Adds an <see cref="IPipelineClient"/> (a <see cref="PipelineClient"/>) for <paramref name="apps"/>, on the RabbitMQ of
    /// <c>Pipeline:RabbitMq</c> (or env <c>PIPELINE_RABBITMQ</c>), reading spawned calls' results from the PostgreSQL of
    /// <c>Pipeline:Results</c> (or env <c>PIPELINE_POSTGRES</c>) when one is set, else keeping them in this process. The
    /// client connects on its first call, so it can be resolved and injected before the host starts; it disconnects
    /// when the host stops. It has its own bus: a service that uses MassTransit itself is not disturbed. The settings
    /// are checked when the host starts: a wrong one stops it with the key named. Safe to call twice (the first wins).
    /// </summary>
    /// <param name="builder">The builder from <c>AddPipeline</c>.</param>
    /// <param name="apps">The apps this service calls (<c>AppManifests.From(assembly)</c>).</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder AddClient(this PipelineBuilder builder, IEnumerable<AppManifest> apps)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(apps);
        return builder.AddClient(_ => apps, results: null);
    }

    /// <summary>Adds the client for apps known only once the services are built (a worker host's own apps).</summary>
    /// <param name="builder">The builder from <c>AddPipeline</c>.</param>
    /// <param name="apps">Gives the apps the client calls.</param>
    /// <param name="results">Gives the process's own results store (one PostgreSQL pool per process); null to open one from <c>Pipeline:Results</c>.</param>
    /// <returns>The builder.</returns>
    internal static PipelineBuilder AddClient(this PipelineBuilder builder, Func<IServiceProvider, IEnumerable<AppManifest>> apps, Func<IServiceProvider, IResultStore>? results)
    {
        if (!builder.TryAddPart("client"))
        {
            return builder;
        }

        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<RabbitMqOptions>().Bind(configuration.GetSection(RabbitMqOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RabbitMqOptions>, RabbitMqOptionsValidator>());
        services.AddOptions<PostgresResultStoreOptions>().Bind(configuration.GetSection(PostgresResultStoreOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresResultStoreOptions>, ResultStoreOptionsValidator>());
        services.AddPipelineDataSource();
        services.AddSingleton(sp =>
        {
            var stored = sp.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value;
            var shared = results?.Invoke(sp);
            var durable = shared is null && IsDurable(stored);
            return new PipelineClientConnector(
                sp.GetRequiredService<IOptions<RabbitMqOptions>>().Value,
                [.. apps(sp)],
                durable ? stored : null,
                durable ? sp.GetRequiredService<NpgsqlDataSource>() : null,
                shared,
                sp.GetService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<PipelineClientConnector>());
        services.AddSingleton(sp => sp.GetRequiredService<PipelineClientConnector>().Client);
        services.AddSingleton<IPipelineClient>(sp => sp.GetRequiredService<PipelineClient>());
        return builder;
    }

    /// <summary>Whether spawned calls go to PostgreSQL: a connection string is set (env <c>PIPELINE_POSTGRES</c> sets it through configuration).</summary>
    internal static bool IsDurable(PostgresResultStoreOptions options) => !string.IsNullOrWhiteSpace(options.ConnectionString);

    private sealed class ResultStoreOptionsValidator : IValidateOptions<PostgresResultStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, PostgresResultStoreOptions options) =>
            IsDurable(options) && options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
