using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.WorkerHost;

namespace Pipeline.Observability.Tests.Infrastructure;

/// <summary>A worker host serving <see cref="TracedJobs"/> inside the test process, so its spans reach the test's exporter.</summary>
public static class InProcessHost
{
    public static async Task<IHost> StartAsync(Servers servers, string rabbitMq, int healthPort)
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
            ["Pipeline:Health:Urls"] = $"http://127.0.0.1:{healthPort}/",
        });
        builder.Services.AddPipelineWorkerHost(builder.Configuration, [typeof(TracedJobs).Assembly]);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
