using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.RabbitMq;
using Pipeline.Results;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>A client over the test broker that knows the test app.</summary>
public static class TestClient
{
    internal static Task<PipelineConnection> StartAsync(Servers servers) => PipelineConnection.ConnectAsync(
        Options(servers),
        AppManifests.From(typeof(Work).Assembly),
        new PostgresResultStoreOptions { ConnectionString = servers.Postgres, Schema = servers.ResultsSchema });

    internal static RabbitMqOptions Options(Servers servers) => new() { ConnectionString = servers.RabbitMq, ManagementUri = servers.ManagementUri };
}
