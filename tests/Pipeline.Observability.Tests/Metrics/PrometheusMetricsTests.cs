using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Observability.Health;

namespace Pipeline.Observability.Tests.Metrics;

/// <summary><c>/metrics</c> on the health server of a process without a broker: what <c>AddPipelineHealth</c> gives any process.</summary>
public sealed class PrometheusMetricsTests
{
    [Fact]
    public async Task Metrics_CounterOnThePipelineMeter_IsServedInPrometheusFormatBesideTheProbes()
    {
        using var meter = new Meter("Pipeline");
        var counter = meter.CreateCounter<long>("pipeline.test.events", "{event}");
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var host = await StartAsync(new Dictionary<string, string?>(), twice: true);
        using var http = Client(host);

        counter.Add(3, new KeyValuePair<string, object?>("pipeline.tag", tag));
        using var response = await http.GetAsync(new Uri("metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"pipeline_test_events_total{{otel_scope_name=\"Pipeline\",pipeline_tag=\"{tag}\"}} 3", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("healthz/live", UriKind.Relative))).StatusCode);
        await host.StopAsync();
    }

    [Fact]
    public async Task Metrics_HealthEndpointsOff_ServesNothing()
    {
        using var host = await StartAsync(new Dictionary<string, string?> { ["Pipeline:Health:Enabled"] = "false" }, twice: false);

        Assert.Empty(host.Services.GetRequiredService<HealthServer>().Addresses);
        await host.StopAsync();
    }

    private static async Task<IHost> StartAsync(Dictionary<string, string?> settings, bool twice)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPipelineHealth(builder.Configuration);
        if (twice)
        {
            builder.Services.AddPipelineHealth(builder.Configuration);
            builder.Services.AddPipelineMetrics();
        }

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static HttpClient Client(IHost host) => new()
    {
        BaseAddress = new Uri(host.Services.GetRequiredService<HealthServer>().Addresses.Single().TrimEnd('/') + "/"),
        Timeout = TimeSpan.FromSeconds(10),
    };
}
