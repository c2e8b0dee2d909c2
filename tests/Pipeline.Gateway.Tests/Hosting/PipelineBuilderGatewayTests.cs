using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Client.Hosting;
using Pipeline.Gateway.Hosting;
using Pipeline.Gateway.Tests.Endpoints;

namespace Pipeline.Gateway.Tests.Hosting;

/// <summary>The gateway hosted in a user's own ASP.NET Core app: <c>AddPipeline(...).AddGateway()</c> and <c>MapPipelineGateway()</c>.</summary>
public sealed class PipelineBuilderGatewayTests
{
    private const string Token = "unit-gateway-token-0123456789";

    [Fact]
    public void AddGateway_Twice_RegistersOnce()
    {
        var services = new ServiceCollection();

        services.AddPipeline(Configuration()).AddGateway([typeof(WebRequestBinderTests.Shop).Assembly]).AddGateway([typeof(WebRequestBinderTests.Shop).Assembly]);
        services.AddPipeline(Configuration()).AddGateway();

        Assert.Single(services, s => s.ServiceType == typeof(GatewayRoutes));
        Assert.Single(services, s => s.ServiceType == typeof(GatewayConnection));
        Assert.Single(services, s => s.ServiceType == typeof(IValidateOptions<GatewayOptions>));
    }

    [Fact]
    public async Task MapPipelineGateway_InAUsersApp_GuardsTheWebEndpointsAndLeavesTheAppsOwnAlone()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddConfiguration(Configuration());
        builder.Services.AddPipeline(builder.Configuration).AddGateway([typeof(WebRequestBinderTests.Shop).Assembly]);
        await using var app = builder.Build();
        app.MapGet("/hello", () => "hi");

        app.MapPipelineGateway();

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        var order = Assert.Single(endpoints, e => e.RoutePattern.RawText == "/web/order");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText?.StartsWith("/openapi/", StringComparison.Ordinal) == true);
        Assert.Equal(StatusCodes.Status401Unauthorized, await InvokeAsync(app, order, authorization: null));
        Assert.Equal(StatusCodes.Status401Unauthorized, await InvokeAsync(app, order, authorization: "Bearer wrong-token-0123456789"));
        Assert.Equal(StatusCodes.Status200OK, await InvokeAsync(app, Assert.Single(endpoints, e => e.RoutePattern.RawText == "/hello"), authorization: null));
    }

    [Fact]
    public void MapPipelineGateway_WithoutAddGateway_SaysWhatToCall()
    {
        var builder = WebApplication.CreateBuilder();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapPipelineGateway());

        Assert.Contains("AddGateway()", error.Message, StringComparison.Ordinal);
    }

    private static async Task<int> InvokeAsync(WebApplication app, RouteEndpoint endpoint, string? authorization)
    {
        var context = new DefaultHttpContext { RequestServices = app.Services };
        context.Request.Method = "POST";
        context.Response.Body = new MemoryStream();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        context.SetEndpoint(endpoint);
        await endpoint.RequestDelegate!(context);
        return context.Response.StatusCode;
    }

    private static IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Pipeline:RabbitMq:ConnectionString"] = "amqp://guest:guest@127.0.0.1:1/",
        ["Pipeline:Gateway:Token"] = Token,
    }).Build();
}
