using Pipeline.Consumers.Discovery;
using Pipeline.Gateway.Endpoints;

namespace Pipeline.Gateway.Hosting;

/// <summary>The apps the gateway serves and their web endpoints; its own, so a worker host in the same process keeps its registry.</summary>
/// <param name="Registry">The apps.</param>
/// <param name="Routes">One route per web endpoint.</param>
internal sealed record GatewayRoutes(AppRegistry Registry, IReadOnlyList<WebRoute> Routes);
