using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Observability.Health;
using Pipeline.WorkerHost;

namespace Pipeline.Observability.Tests.Infrastructure;

/// <summary>A worker host serving <see cref="TracedJobs"/> inside the test process, so its spans reach the test's exporter.</summary>
public static class InProcessHost
{
    /// <summary>Starts a worker host; <paramref name="healthPort"/> 0 lets it pick its health port (see <see cref="HealthAddress"/>).</summary>
    public static async Task<IHost> StartAsync(Servers servers, string rabbitMq, int healthPort = 0, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:RabbitMq:ConnectionString"] = rabbitMq,
            ["Pipeline:RabbitMq:ManagementUri"] = servers.ManagementUri.ToString(),
            ["Pipeline:Results:ConnectionString"] = servers.Postgres,
            ["Pipeline:Results:Schema"] = servers.ResultsSchema,
            ["Pipeline:Retries:Schema"] = servers.RetriesSchema,
            ["Pipeline:Worker:DetectGpus"] = "false",
            ["Pipeline:Worker:ReconcileInterval"] = "00:00:01",
            ["Pipeline:Worker:ExitGracePeriod"] = "00:00:05",
            ["Pipeline:Health:Port"] = healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddPipelineWorkerHost(builder.Configuration, [typeof(TracedJobs).Assembly]);
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>The base address the host's health endpoints are bound to.</summary>
    public static Uri HealthAddress(IHost host) => new(host.Services.GetRequiredService<HealthServer>().Addresses.Single().TrimEnd('/') + "/");
}
