using System.Reflection;
using Pipeline.Client.Hosting;

namespace Pipeline.WorkerHost;

/// <summary>Adds a worker host to the registration root: <c>services.AddPipeline(configuration).AddWorkerHost(...)</c>.</summary>
public static class PipelineBuilderWorkerHostExtensions
{
    /// <summary>
    /// Adds a worker host serving <paramref name="apps"/> (or, when null, the assemblies named in
    /// <c>Pipeline:Worker:Apps</c>), as <see cref="WorkerHostServiceCollectionExtensions.AddPipelineWorkerHost"/> does.
    /// The apps' classes are built from these services, so register the apps' own services on the same collection
    /// (before or after) or in an <see cref="IPipelineApp"/>. Safe to call twice: the first call wins.
    /// </summary>
    /// <param name="builder">The builder from <c>AddPipeline</c>.</param>
    /// <param name="apps">The app assemblies; null to load them from configuration.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">A setting in the configuration is wrong; the message names the key. (An app whose attributes are wrong throws AppDefinitionException.)</exception>
    public static PipelineBuilder AddWorkerHost(this PipelineBuilder builder, IEnumerable<Assembly>? apps = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddPart("worker-host"))
        {
            builder.Services.AddPipelineWorkerHost(builder.Configuration, apps);
        }

        return builder;
    }
}
