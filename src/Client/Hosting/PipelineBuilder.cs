using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Client.Hosting;

/// <summary>
/// What <see cref="PipelineServiceCollectionExtensions.AddPipeline"/> returns: the services and configuration the
/// Pipeline parts are added to (<c>.AddClient()</c>, <c>.AddWorkerHost(...)</c>, <c>.AddScheduler()</c>,
/// <c>.AddGateway()</c>). Each part is registered once, however often it is added.
/// </summary>
public sealed class PipelineBuilder
{
    internal PipelineBuilder(IServiceCollection services, IConfiguration configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    /// <summary>The services the parts are registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The configuration holding the <c>Pipeline</c> section.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>
    /// Marks <paramref name="part"/> added; false when it was already (then the caller registers nothing). For the
    /// packages that add parts (<c>Pipeline.WorkerHost</c>, <c>Pipeline.Scheduler</c>, <c>Pipeline.Gateway</c>).
    /// </summary>
    /// <param name="part">The part's name, such as <c>worker-host</c>.</param>
    public bool TryAddPart(string part)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(part);
        if (Services.Any(s => s.ServiceType == typeof(PipelinePart) && Equals(s.ImplementationInstance, new PipelinePart(part))))
        {
            return false;
        }

        Services.AddSingleton(new PipelinePart(part));
        return true;
    }

    /// <summary>A part added to the services, so a second <c>Add*</c> finds it.</summary>
    /// <param name="Name">The part's name.</param>
    internal sealed record PipelinePart(string Name);
}
