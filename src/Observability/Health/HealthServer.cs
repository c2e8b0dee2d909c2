using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Pipeline.Observability.Metrics;

namespace Pipeline.Observability.Health;

/// <summary>
/// Serves <c>/healthz/live</c> and <c>/healthz/ready</c>, and <c>/metrics</c> for Prometheus (OpenTelemetry's exporter,
/// when <see cref="MetricsServiceCollectionExtensions.AddPipelineMetrics"/> registered it), with ASP.NET Core's health checks middleware on a Kestrel
/// server of its own, on <see cref="HealthOptions.Address"/> and <see cref="HealthOptions.Port"/> (0 picks a free
/// port; the bound address is logged). The checks are the host's own (<see cref="HealthCheckService"/>), so a process
/// without a web stack (worker host, scheduler) and one with its own (gateway) answer the same way on a port apart
/// from their work. Registered as the first hosted service: it starts before everything else and stops after
/// everything else, so probes get answers while the host drains and runs <c>exit</c> hooks.
/// </summary>
internal sealed class HealthServer(HealthCheckService checks, HealthOptions options, ILoggerFactory loggers, IEnumerable<ILoggerProvider> logProviders, IServiceProvider services)
    : IHostedService, IDisposable, IAsyncDisposable
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    private readonly ILogger _logger = loggers.CreateLogger<HealthServer>();
    private WebApplication? _app;

    /// <summary>The addresses bound, once started; empty when the endpoints are off.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <exception cref="InvalidOperationException">The address or port cannot be bound; the message names the key.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            Log.HealthOff(_logger);
            return;
        }

        // An empty builder: nothing from the process's configuration (ASPNETCORE_URLS, appsettings Kestrel sections)
        // reaches this server, which listens only where Pipeline:Health says.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());

        // The process's own lifetime handles SIGTERM and Ctrl+C; this server stops when the process's host stops it.
        builder.Services.AddSingleton<IHostLifetime, HealthServerLifetime>();

        // Kestrel's warnings and errors go where the process logs; its per-request and start lines do not, nor this
        // inner host's own failure to start (the exception below says it, naming the key).
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.Extensions.Hosting", LogLevel.None));
        foreach (var provider in logProviders)
        {
            builder.Services.AddSingleton(provider);
        }

        builder.Services.AddSingleton(checks);
        builder.Services.AddRouting();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.BindAddress, options.Port);
        });

        var app = builder.Build();
        var writer = new HealthResponseWriter(_logger);
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag), ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = writer.WriteReadyAsync });

        // The process's own meter provider (this inner host has none): its Prometheus exporter answers the scrape.
        var paths = "/healthz/live, /healthz/ready";
        if (services.GetService<PrometheusMetrics>() is not null && services.GetService<MeterProvider>() is { } meters)
        {
            app.MapPrometheusScrapingEndpoint(PrometheusMetrics.Path, meters, configureBranchedPipeline: null, optionsName: null);
            paths += ", " + PrometheusMetrics.Path;
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            var where = new IPEndPoint(options.BindAddress, options.Port);
            throw new InvalidOperationException(
                $"The health endpoints cannot listen on {where}: {e.Message} Set {HealthOptions.SectionName}:Port to a free port, or to 0 to let the process pick one and log it; {HealthOptions.SectionName}:Address to an address of this machine; or {HealthOptions.SectionName}:Enabled to false.",
                e);
        }

        _app = app;
        Addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.ToList();
        Log.HealthListening(_logger, string.Join(", ", Addresses), paths);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => (Interlocked.Exchange(ref _app, null) as IDisposable)?.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
