using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Observability.Health;

/// <summary>
/// Serves <c>GET /healthz/live</c> and <c>GET /healthz/ready</c> with <see cref="HttpListener"/> (no web stack in the
/// process): each runs the health checks tagged <c>live</c> or <c>ready</c> and answers 200 when they are Healthy or
/// Degraded, 503 when one is Unhealthy, with a JSON body naming each check. Liveness with no check is 200 while the
/// process answers at all.
/// </summary>
internal sealed class HealthEndpoint(HealthCheckService checks, HealthOptions options, ILogger<HealthEndpoint> logger) : BackgroundService
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private HealthStatus? _lastReadiness;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var prefixes = options.Prefixes;
        if (prefixes.Count == 0)
        {
            return;
        }

        using var listener = new HttpListener();
        foreach (var prefix in prefixes)
        {
            listener.Prefixes.Add(prefix);
        }

        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            Log.HealthNotListening(logger, string.Join(", ", prefixes), e.Message);
            return;
        }

        Log.HealthListening(logger, string.Join(", ", prefixes));
        using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
            {
                break;
            }

            // One at a time is plenty for probes, and keeps a slow check from piling up requests.
            await AnswerAsync(context, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        try
        {
            var tag = context.Request.Url?.AbsolutePath.TrimEnd('/') switch
            {
                "/healthz/live" => LiveTag,
                "/healthz/ready" => ReadyTag,
                _ => null,
            };
            if (tag is null || context.Request.HttpMethod is not ("GET" or "HEAD"))
            {
                response.StatusCode = tag is null ? (int)HttpStatusCode.NotFound : (int)HttpStatusCode.MethodNotAllowed;
                return;
            }

            var report = await checks.CheckHealthAsync(r => r.Tags.Contains(tag), cancellationToken).ConfigureAwait(false);
            if (tag == ReadyTag && _lastReadiness != report.Status)
            {
                _lastReadiness = report.Status;
                Log.ReadinessChanged(logger, report.Status.ToString(), Describe(report));
            }

            response.StatusCode = report.Status == HealthStatus.Unhealthy ? (int)HttpStatusCode.ServiceUnavailable : (int)HttpStatusCode.OK;
            response.ContentType = "application/json";
            response.Headers["Cache-Control"] = "no-store";
            var body = JsonSerializer.SerializeToUtf8Bytes(
                new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
                },
                Json);
            if (context.Request.HttpMethod == "GET")
            {
                await response.OutputStream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException)
        {
            Log.RequestFailed(logger, e);
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                Log.RequestFailed(logger, e);
            }
        }
    }

    private static string Describe(HealthReport report) => report.Entries.Count == 0
        ? "no checks"
        : string.Join("; ", report.Entries.Select(e => $"{e.Key} {e.Value.Status}{(e.Value.Description is { Length: > 0 } d ? " (" + d + ")" : "")}"));
}
