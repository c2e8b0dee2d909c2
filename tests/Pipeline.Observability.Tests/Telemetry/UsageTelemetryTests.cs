using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Client;
using Pipeline.Embedded;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Observability.Tests.Infrastructure;
using Pipeline.RabbitMq;

namespace Pipeline.Observability.Tests.Telemetry;

/// <summary>
/// MassTransit 8 reports usage (app and queue names) to masstransit.io unless told not to. Pipeline is self-hosted: every
/// process that builds a bus contacts only the servers it is configured with.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class UsageTelemetryTests(Servers servers)
{
    [Fact]
    public async Task WorkerHost_StartServeAndStop_ContactsOnlyTheConfiguredServers()
    {
        using var network = new OutboundConnections();
        var host = await InProcessHost.StartAsync(servers, servers.RabbitMq, configure: services =>
            // Were the report on, it would go out at once (not after MassTransit's 5 minutes), and before the host's
            // services are disposed at the end of this test.
            services.Configure<UsageTelemetryOptions>(usage =>
            {
                usage.ReportDelay = TimeSpan.Zero;
                usage.ReportOnShutdown = true;
            }));
        var usage = host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;
        try
        {
            await using var connection = await PipelineConnection.ConnectAsync(
                new RabbitMqOptions { ConnectionString = servers.RabbitMq, ManagementUri = servers.ManagementUri },
                AppManifests.From(typeof(TracedJobs).Assembly));
            var tag = $"usage-{Guid.NewGuid():N}";
            Assert.Equal($"{tag} ok after 1", await connection.Client.Function("traced", "flaky").RemoteAsync<string>([tag, 0]).WaitAsync(TimeSpan.FromSeconds(60)));
            await host.StopAsync();
        }
        finally
        {
            // Disposing waits for a report in flight (MassTransit gives it 10 s), so every attempt is seen below.
            await ((IAsyncDisposable)host).DisposeAsync();
        }

        var configured = ConfiguredHosts();
        var elsewhere = network.Targets.Where(t => !configured.Contains(t) && !(IPAddress.TryParse(t, out var ip) && IPAddress.IsLoopback(ip))).ToList();
        Assert.True(elsewhere.Count == 0, $"Contacted {string.Join(", ", elsewhere)}; configured: {string.Join(", ", configured)}.");
        Assert.DoesNotContain(network.Targets, t => t.Contains("masstransit", StringComparison.OrdinalIgnoreCase));
        Assert.False(usage.Enabled);
    }

    [Fact]
    public void ClientConnection_Bus_HasUsageTelemetryOff()
    {
        // The connection behind the client, the gateway, the scheduler service and the `pipeline` command.
        using var services = PipelineConnection.CreateServices(new RabbitMqOptions { ConnectionString = servers.RabbitMq }, loggers: null).BuildServiceProvider();

        Assert.False(services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }

    [Fact]
    public async Task EmbeddedPipeline_Bus_HasUsageTelemetryOff()
    {
        await using var pipeline = await EmbeddedPipeline.StartAsync([typeof(TracedJobs).Assembly]);

        Assert.False(pipeline.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }

    private HashSet<string> ConfiguredHosts() => new(StringComparer.OrdinalIgnoreCase)
    {
        new Uri(servers.RabbitMq).Host,
        servers.ManagementUri.Host,
        new NpgsqlConnectionStringBuilder(servers.Postgres).Host ?? "",
    };

    /// <summary>
    /// Every name looked up, socket connected and HTTP request sent in this process while it lives, from .NET's own
    /// network activity sources (DNS, sockets, HttpClient): what the process tried to reach, whatever library tried.
    /// </summary>
    private sealed class OutboundConnections : IDisposable
    {
        private static readonly string[] TargetTags = ["dns.question.name", "server.address", "network.peer.address", "url.full"];
        private readonly ConcurrentQueue<string> _targets = new();
        private readonly ActivityListener _listener;

        public OutboundConnections()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name.EndsWith("System.Net.NameResolution", StringComparison.Ordinal)
                    || source.Name.EndsWith("System.Net.Sockets", StringComparison.Ordinal)
                    || source.Name.EndsWith("System.Net.Http", StringComparison.Ordinal),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Record,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<string> Targets => [.. _targets.Distinct()];

        public void Dispose() => _listener.Dispose();

        private void Record(Activity activity)
        {
            foreach (var key in TargetTags)
            {
                if (activity.GetTagItem(key) is { } value && value.ToString() is { Length: > 0 } text)
                {
                    _targets.Enqueue(key == "url.full" && Uri.TryCreate(text, UriKind.Absolute, out var url) ? url.Host : text);
                }
            }
        }
    }
}
