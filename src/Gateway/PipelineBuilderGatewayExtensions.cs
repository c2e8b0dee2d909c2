using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.Consumers.Discovery;
using Pipeline.Gateway.Endpoints;
using Pipeline.Gateway.Hosting;
using Pipeline.Gateway.OpenApi;
using Pipeline.Gateway.Security;
using Pipeline.Messages.Invocations;
using Pipeline.Observability;
using Pipeline.RabbitMq;

namespace Pipeline.Gateway;

/// <summary>
/// Hosts the HTTP gateway in an ASP.NET Core app: <c>services.AddPipeline(configuration).AddGateway()</c>, then
/// <c>app.MapPipelineGateway()</c>. The <c>pipeline-gateway</c> program is this plus its own Kestrel settings.
/// </summary>
public static class PipelineBuilderGatewayExtensions
{
    /// <summary>
    /// Adds the gateway for the web endpoints of <paramref name="apps"/> (or, when null, of the assemblies named in
    /// <c>Pipeline:Gateway:Apps</c>): its client over <c>Pipeline:RabbitMq</c>, its settings (<c>Pipeline:Gateway</c>,
    /// checked when the host starts: a bad one stops it with the key named), its readiness probe and its OpenAPI
    /// document. Map its endpoints with <see cref="MapPipelineGateway"/>. Safe to call twice: the first call wins.
    /// </summary>
    /// <param name="builder">The builder from <c>AddPipeline</c>.</param>
    /// <param name="apps">The app assemblies; null to load them from configuration.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="AppDefinitionException">An app's attributes are wrong, or no app has a web endpoint.</exception>
    public static PipelineBuilder AddGateway(this PipelineBuilder builder, IEnumerable<Assembly>? apps = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.TryAddPart("gateway"))
        {
            return builder;
        }

        var services = builder.Services;
        var section = builder.Configuration.GetSection(GatewayOptions.Section);

        // Only the app list is read here, since it decides the routes; every other setting is an option checked at start.
        var registry = AppDiscovery.Discover(apps ?? AppAssemblyLoader.Load((section.Get<GatewayOptions>() ?? new GatewayOptions()).Apps, $"{GatewayOptions.Section}:Apps"));
        var routes = WebRoute.From(registry);
        if (routes.Count == 0)
        {
            throw new AppDefinitionException($"The apps in {GatewayOptions.Section}:Apps ({string.Join(", ", registry.Apps.Select(a => a.Name))}) have no [WebEndpoint]. Mark a [Function] or a [Cls] method with [WebEndpoint].");
        }

        services.AddOptions<GatewayOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.AddOptions<RabbitMqOptions>().Bind(builder.Configuration.GetSection(RabbitMqOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RabbitMqOptions>, RabbitMqOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new GatewayRoutes(registry, routes));
        services.AddSingleton<GatewayConnection>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayConnection>());
        services.AddSingleton<WebEndpointHandler>();

        // Probes on a port of their own (Pipeline:Health), answered until the gateway has stopped serving.
        services.AddPipelineHealth(builder.Configuration).AddCheck<GatewayReadiness>(GatewayReadiness.Name, tags: ["ready"]);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = PayloadJson.Options.NumberHandling);
        services.AddOpenApi(openApi =>
        {
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Pipeline gateway";
                document.Info.Description = $"Web endpoints of the apps {string.Join(", ", registry.Apps.Select(a => a.Name).Order(StringComparer.Ordinal))}.";
                return Task.CompletedTask;
            });
            openApi.AddDocumentTransformer((document, context, cancellationToken) =>
                context.ApplicationServices.GetRequiredService<IOptions<GatewayOptions>>().Value.EffectiveToken is null
                    ? Task.CompletedTask
                    : BearerSecurity.ApplyAsync(document, context, cancellationToken));
        });
        return builder;
    }

    /// <summary>
    /// Maps the gateway's endpoints: one route per web endpoint, each requiring the token when one is set
    /// (<c>Authorization: Bearer &lt;token&gt;</c>), and the OpenAPI document at <c>/openapi/v1.json</c>. The rest
    /// of the app (its other endpoints, middleware and server limits) stays the app's.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <returns>The group holding the gateway's endpoints, for conventions of the app's own.</returns>
    /// <exception cref="InvalidOperationException"><c>AddGateway</c> was not called.</exception>
    /// <exception cref="OptionsValidationException">A gateway setting is wrong; the message names the key.</exception>
    public static IEndpointConventionBuilder MapPipelineGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var gateway = services.GetService<GatewayRoutes>()
            ?? throw new InvalidOperationException("MapPipelineGateway needs the gateway's services: call services.AddPipeline(configuration).AddGateway() first.");
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var handler = services.GetRequiredService<WebEndpointHandler>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayApplication).FullName!);

        var group = endpoints.MapGroup("");
        if (options.EffectiveToken is { } token)
        {
            var bearer = new BearerToken(token);
            group.AddEndpointFilter((context, next) =>
                bearer.Accepts(context.HttpContext.Request) ? next(context) : ValueTask.FromResult<object?>(GatewayApplication.Unauthorized(context.HttpContext, logger)));
        }

        group.MapOpenApi();
        foreach (var route in gateway.Routes)
        {
            // A Delegate, not a RequestDelegate, so the endpoint's IResult is written and the endpoint is described.
            Delegate serve = (HttpContext context) => handler.HandleAsync(context, route);
            group.MapMethods(route.Path, [route.HttpMethod], serve)
                .WithName(route.Callable.DisplayName)
                .WithTags(route.Callable.App)
                .AddOpenApiOperationTransformer((operation, context, cancellationToken) => WebEndpointDescriber.DescribeAsync(operation, context, route, cancellationToken));
            Log.Route(logger, route.HttpMethod, route.Path, route.Callable.DisplayName);
        }

        return group;
    }
}
