using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Client.Hosting;
using Pipeline.Messages.Manifests;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.Client;

/// <summary>Registers a <see cref="PipelineClient"/> for a service that runs on the .NET generic host (ASP.NET Core included).</summary>
public static class PipelineClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="PipelineClient"/> (and <see cref="IPipelineClient"/>): the same as
    /// <c>services.AddPipeline(configuration).AddClient(apps)</c>, which it calls. The client connects on its first
    /// call. Unlike <c>AddClient</c>, which checks the settings when the host starts, this checks those in
    /// <paramref name="configuration"/> at once, as it always did.
    /// <code>
    /// builder.Services.AddPipelineClient(builder.Configuration, AppManifests.From(typeof(Model).Assembly));
    /// </code>
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration holding the <c>Pipeline</c> section.</param>
    /// <param name="apps">The apps this service calls (<c>AppManifests.From(assembly)</c>).</param>
    /// <returns>The services.</returns>
    /// <exception cref="InvalidOperationException">A setting is wrong; the message names the key.</exception>
    public static IServiceCollection AddPipelineClient(this IServiceCollection services, IConfiguration configuration, IEnumerable<AppManifest> apps)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(apps);
        configuration = configuration.WithPipelineEnvironment();
        var rabbit = configuration.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        var results = configuration.GetSection(PostgresResultStoreOptions.SectionName).Get<PostgresResultStoreOptions>() ?? new PostgresResultStoreOptions();
        var problems = rabbit.Validate().Concat(PipelineServiceCollectionExtensions.IsDurable(results) ? results.Validate() : []).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid Pipeline client settings: " + string.Join(" ", problems));
        }

        services.AddPipeline(configuration).AddClient(apps);
        return services;
    }
}
