using Pipeline;
using Pipeline.Gateway.Hosting;

// The HTTP gateway: serves the [WebEndpoint]s of the apps named in Pipeline:Gateway:Apps over Pipeline:RabbitMq.
WebApplication app;
try
{
    app = GatewayApplication.Build(args);
}
catch (Exception e) when (e is InvalidOperationException or AppDefinitionException)
{
    await Console.Error.WriteLineAsync($"The gateway did not start. {e.Message}");
    return 1;
}

await using (app)
{
    await app.RunAsync();
}

return 0;
