using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Client.Hosting;
using Pipeline.Messages.Manifests;

namespace Pipeline.Client;

/// <summary>Registers a <see cref="PipelineClient"/> for a service that runs on the .NET generic host (ASP.NET Core included).</summary>
public static class PipelineClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="PipelineClient"/> (and <see cref="IPipelineClient"/>): the same as
    /// <c>services.AddPipeline(configuration).AddClient(apps)</c>, which it calls. The client connects on its first
    /// call; a wrong setting stops the host's start with the key named.
    /// <code>
    /// builder.Services.AddPipelineClient(builder.Configuration, AppManifests.From(typeof(Model).Assembly));
    /// </code>
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration holding the <c>Pipeline</c> section.</param>
    /// <param name="apps">The apps this service calls (<c>AppManifests.From(assembly)</c>).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddPipelineClient(this IServiceCollection services, IConfiguration configuration, IEnumerable<AppManifest> apps)
    {
        ArgumentNullException.ThrowIfNull(apps);
        services.AddPipeline(configuration).AddClient(apps);
        return services;
    }
}
