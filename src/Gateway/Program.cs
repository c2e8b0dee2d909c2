using Pipeline.Gateway;
using Pipeline.Gateway.Hosting;
using Pipeline.Observability.Startup;

// The HTTP gateway: serves the [WebEndpoint]s of the apps named in Pipeline:Gateway:Apps over Pipeline:RabbitMq.
// A start-up failure (a bad setting, app or port) prints one error block and exits 2.
return await ProcessStartup.RunAsync("gateway", prepare => GatewayApplication.Build(args, prepare), hint: failure =>
    failure is IOException && failure.Message.StartsWith("Failed to bind to address", StringComparison.Ordinal)
        ? $"{GatewayOptions.Section}:Urls names an address this gateway cannot listen on. Set it to a free port of this machine (http://127.0.0.1:0 picks one and logs it)."
        : null);
