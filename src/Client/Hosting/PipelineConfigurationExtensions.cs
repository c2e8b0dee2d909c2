using Microsoft.Extensions.Configuration;

namespace Pipeline.Client.Hosting;

/// <summary>Adds Pipeline's environment variables to a configuration.</summary>
public static class PipelineConfigurationExtensions
{
    /// <summary>
    /// Adds <see cref="PipelineEnvironmentVariables"/> (<c>PIPELINE_RABBITMQ</c>, <c>PIPELINE_POSTGRES</c>,
    /// <c>PIPELINE_GATEWAY_TOKEN</c>) as the configuration keys they stand for, under every other source: a key set in
    /// <c>appsettings.json</c>, as <c>Pipeline__RabbitMq__ConnectionString</c>, on the command line or in code wins over
    /// the variable. <c>AddPipeline</c> adds it to a host builder's configuration itself; call this on a configuration
    /// you build yourself. Safe to call twice.
    /// <code>
    /// var configuration = new ConfigurationBuilder().AddPipelineEnvironment().AddJsonFile("appsettings.json", optional: true).Build();
    /// </code>
    /// </summary>
    /// <param name="builder">The configuration builder (a host's <c>ConfigurationManager</c> included).</param>
    /// <returns>The builder.</returns>
    public static IConfigurationBuilder AddPipelineEnvironment(this IConfigurationBuilder builder) => builder.AddPipelineEnvironment(read: null);

    /// <summary>As <see cref="AddPipelineEnvironment(IConfigurationBuilder)"/>, reading the variables with <paramref name="read"/> (tests).</summary>
    internal static IConfigurationBuilder AddPipelineEnvironment(this IConfigurationBuilder builder, Func<string, string?>? read)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Sources.Any(s => s is PipelineEnvironmentSource))
        {
            // First, so each source added before or after it wins.
            builder.Sources.Insert(0, new PipelineEnvironmentSource(read));
        }

        return builder;
    }

    /// <summary>
    /// The configuration with the environment variables under it: the same object when it can take a source (a host's
    /// <c>ConfigurationManager</c>, so what the host injects as <c>IConfiguration</c> sees them too), else one over it.
    /// </summary>
    internal static IConfiguration WithPipelineEnvironment(this IConfiguration configuration)
    {
        if (configuration is IConfigurationBuilder builder)
        {
            builder.AddPipelineEnvironment();
            return configuration;
        }

        if (configuration is IConfigurationRoot root && root.Providers.Any(p => p is PipelineEnvironmentProvider))
        {
            return configuration;
        }

        var wrapped = new ConfigurationBuilder();
        wrapped.Sources.Add(new PipelineEnvironmentSource(over: configuration));
        return wrapped.AddConfiguration(configuration, shouldDisposeConfiguration: false).Build();
    }
}
