using Pipeline.Client;
using Pipeline.Consumers.Discovery;
using Pipeline.IntegrationTests.App;
using Pipeline.RabbitMq;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>A client over the test broker that knows the test app.</summary>
public static class TestClient
{
    internal static Task<RabbitMqClient> StartAsync(Servers servers) => RabbitMqClient.StartAsync(
        Options(servers),
        AppDiscovery.Discover([typeof(Work).Assembly]).Manifests);

    internal static RabbitMqOptions Options(Servers servers) => new() { ConnectionString = servers.RabbitMq, ManagementUri = servers.ManagementUri };
}
