using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Discovery;
using Pipeline.Gateway.Endpoints;
using Pipeline.Gateway.OpenApi;
using Pipeline.Gateway.Security;
using Pipeline.Messages.Invocations;
using Pipeline.Observability;
using Pipeline.RabbitMq;

namespace Pipeline.Gateway.Hosting;

/// <summary>
/// Builds the gateway: settings checked, apps loaded and validated, Kestrel limited, the token required, one route
/// per web endpoint, and the OpenAPI document at <c>/openapi/v1.json</c>. Every mistake stops it before it listens.
/// </summary>
internal static class GatewayApplication
{
    // A query string carries class parameters up to 16 KiB, percent-encoded up to three times that: read it whole, so
    // an oversized set gets a 400 naming the parameter instead of Kestrel's bare 414.
    private const int MaxRequestLineBytes = 64 * 1024;

    /// <exception cref="InvalidOperationException">A setting is wrong; the message names the key.</exception>
    /// <exception cref="AppDefinitionException">An app's attributes are wrong, or no app has a web endpoint.</exception>
    public static WebApplication Build(string[] args, Action<IHostApplicationBuilder>? prepare = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args.Where(a => a != GatewayOptions.InsecureSwitch).ToArray() });
        prepare?.Invoke(builder);

        // Defaults under every other source: ASP.NET's per-request lines only when asked for.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")] });
        var options = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        options.AllowInsecureWithoutToken |= args.Contains(GatewayOptions.InsecureSwitch);
        var rabbit = builder.Configuration.GetSection(RabbitMqOptions.SectionName).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        var problems = options.Validate().Concat(rabbit.Validate()).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid settings: " + string.Join(" ", problems));
        }

        var registry = AppDiscovery.Discover(AppAssemblyLoader.Load(options.Apps, $"{GatewayOptions.Section}:Apps"));
        var routes = WebRoute.From(registry);
        if (routes.Count == 0)
        {
            throw new AppDefinitionException($"The apps in {GatewayOptions.Section}:Apps ({string.Join(", ", registry.Apps.Select(a => a.Name))}) have no [WebEndpoint]. Mark a [Function] or a [Cls] method with [WebEndpoint].");
        }

        builder.WebHost.UseUrls([.. options.UrlList]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes;
        });
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(Options.Create(rabbit));
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<GatewayConnection>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayConnection>());

        // Probes on a port of their own (Pipeline:Health), answered until the gateway has stopped serving.
        builder.Services.AddPipelineHealth(builder.Configuration).AddCheck<GatewayReadiness>(GatewayReadiness.Name, tags: ["ready"]);
        builder.Services.AddSingleton<WebEndpointHandler>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = PayloadJson.Options.NumberHandling);
        builder.Services.AddOpenApi(openApi =>
        {
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Pipeline gateway";
                document.Info.Description = $"Web endpoints of the apps {string.Join(", ", registry.Apps.Select(a => a.Name).Order(StringComparer.Ordinal))}.";
                return Task.CompletedTask;
            });
            if (options.EffectiveToken is not null)
            {
                openApi.AddDocumentTransformer(BearerSecurity.ApplyAsync);
            }
        });

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayApplication).FullName!);
        app.Use(RequestMetrics.CountAsync);
        app.UseStatusCodePages(StatusBodyAsync);
        if (options.EffectiveToken is { } token)
        {
            var bearer = new BearerToken(token);
            app.Use((context, next) => bearer.Accepts(context.Request) ? next(context) : UnauthorizedAsync(context, logger));
        }

        app.MapOpenApi();
        var handler = app.Services.GetRequiredService<WebEndpointHandler>();
        foreach (var route in routes)
        {
            // A Delegate, not a RequestDelegate, so the endpoint's IResult is written and the endpoint is described.
            Delegate serve = (HttpContext context) => handler.HandleAsync(context, route);
            app.MapMethods(route.Path, [route.HttpMethod], serve)
                .WithName(route.Callable.DisplayName)
                .WithTags(route.Callable.App)
                .AddOpenApiOperationTransformer((operation, context, cancellationToken) => WebEndpointDescriber.DescribeAsync(operation, context, route, cancellationToken));
            Log.Route(logger, route.HttpMethod, route.Path, route.Callable.DisplayName);
        }

        app.Lifetime.ApplicationStarted.Register(() => Announce(app, options, routes, registry, logger));
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

    private static Task UnauthorizedAsync(HttpContext context, ILogger logger)
    {
        Log.Unauthorized(logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return new ErrorBody("unauthorized", "This gateway requires its token: send 'Authorization: Bearer <token>' (the value of Pipeline:Gateway:Token).")
            .ToResult(StatusCodes.Status401Unauthorized).ExecuteAsync(context);
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
