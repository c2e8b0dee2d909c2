using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.Consumers.Discovery;
using Pipeline.Gateway.Endpoints;
using Pipeline.Gateway.Security;
using Pipeline.RabbitMq;

namespace Pipeline.Gateway.Hosting;

/// <summary>
/// Builds the gateway program: <c>AddPipeline(...).AddGateway()</c> and <c>MapPipelineGateway()</c>, plus what a
/// program of its own owns: Kestrel's address and limits, the token required on every path, and JSON bodies for 404
/// and 405. Every mistake stops it before it listens.
/// </summary>
internal static class GatewayApplication
{
    // A query string carries class parameters up to 16 KiB, percent-encoded up to three times that: read it whole, so
    // an oversized set gets a 400 naming the parameter instead of Kestrel's bare 414.
    private const int MaxRequestLineBytes = 64 * 1024;

    /// <exception cref="InvalidOperationException">A setting is wrong; the message names the key.</exception>
    /// <exception cref="OptionsValidationException">A setting is wrong; the message names the key.</exception>
    /// <exception cref="AppDefinitionException">An app's attributes are wrong, or no app has a web endpoint.</exception>
    public static WebApplication Build(string[] args, Action<IHostApplicationBuilder>? prepare = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args.Where(a => a != GatewayOptions.InsecureSwitch).ToArray() });
        prepare?.Invoke(builder);

        // Defaults under every other source: ASP.NET's per-request lines only when asked for.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")] });
        builder.Services.AddPipeline(builder.Configuration).AddGateway();
        if (args.Contains(GatewayOptions.InsecureSwitch))
        {
            builder.Services.PostConfigure<GatewayOptions>(o => o.AllowInsecureWithoutToken = true);
        }

        // The program owns its server: where it listens (read here, as Kestrel binds before the options exist) and its limits.
        var urls = (builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions()).UrlList;
        builder.WebHost.UseUrls([.. urls]);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayOptions>>((kestrel, gateway) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = gateway.Value.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes;
        });

        var app = builder.Build();

        // Resolving the options checks them: a bad setting stops the program here, before it listens.
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayApplication).FullName!);
        app.Use(RequestMetrics.CountAsync);
        app.UseStatusCodePages(StatusBodyAsync);
        if (options.EffectiveToken is { } token)
        {
            // The whole program, unknown paths included, answers 401 without the token (MapPipelineGateway's own filter
            // guards the gateway's routes where the gateway is part of someone else's app).
            var bearer = new BearerToken(token);
            app.Use((context, next) => bearer.Accepts(context.Request) ? next(context) : Unauthorized(context, logger).ExecuteAsync(context));
        }

        app.MapPipelineGateway();
        var gateway = app.Services.GetRequiredService<GatewayRoutes>();
        app.Lifetime.ApplicationStarted.Register(() => Announce(app, options, gateway.Routes, gateway.Registry, logger));
        return app;
    }

    private static void Announce(WebApplication app, GatewayOptions options, IReadOnlyList<WebRoute> routes, AppRegistry registry, ILogger logger)
    {
        var urls = string.Join(", ", app.Urls);
        var token = options.EffectiveToken is not null;
        Log.Serving(logger, routes.Count, string.Join(", ", registry.Apps.Select(a => a.Name)), urls, token ? "a bearer token is required" : "NO token");
        if (!token)
        {
            Log.Insecure(logger, urls);
        }

        foreach (var url in app.Urls.Where(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !IsLoopback(u)))
        {
            Log.PlainHttpExposed(logger, url);
        }
    }

    private static bool IsLoopback(string url)
    {
        var host = new Uri(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal)).Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>The 401 for a request without the token; logged with where it came from, never with what it sent.</summary>
    internal static IResult Unauthorized(HttpContext context, ILogger logger)
    {
        Log.Unauthorized(logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return new ErrorBody("unauthorized", "This gateway requires its token: send 'Authorization: Bearer <token>' (the value of Pipeline:Gateway:Token).")
            .ToResult(StatusCodes.Status401Unauthorized);
    }

    // Routing answers an unknown path with 404 and a known path with another method with 405, both without a body.
    private static Task StatusBodyAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var (error, message) = context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => ("not_found", $"No web endpoint at {context.Request.Method} {context.Request.Path}. GET /openapi/v1.json lists them."),
            StatusCodes.Status405MethodNotAllowed => ("method_not_allowed", $"{context.Request.Path} is a web endpoint for another HTTP method than {context.Request.Method}. GET /openapi/v1.json lists them."),
            var code => ("http_" + code, $"The request got HTTP {code}."),
        };
        return new ErrorBody(error, message).ToResult(context.Response.StatusCode).ExecuteAsync(context);
    }
}
