using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Client;

/// <summary>A service on the generic host registers the client with one call and configuration, then spawns and gets.</summary>
[Collection(ServersGroup.Name)]
public sealed class AddPipelineClientTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EventLog _events = new();

    [Fact]
    public async Task AddPipelineClient_FromConfiguration_ConnectsOnStartAndCallsAWorker()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:RabbitMq:ConnectionString"] = servers.RabbitMq,
            ["Pipeline:RabbitMq:ManagementUri"] = servers.ManagementUri.ToString(),
            ["Pipeline:Results:ConnectionString"] = servers.Postgres,
            ["Pipeline:Results:Schema"] = servers.ResultsSchema,
        });
        builder.Services.AddPipelineClient(builder.Configuration, AppManifests.From(typeof(Work).Assembly));
        using var host = builder.Build();

        await host.StartAsync();
        var client = host.Services.GetRequiredService<PipelineClient>();
        var call = await client.Function("itest", "echo").SpawnAsync(["from-host"]);
        var reply = await call.GetAsync<Reply>(Patience);
        await host.StopAsync();

        Assert.Equal("from-host", reply.Tag);
        Assert.Equal(worker.Pid, reply.Pid);
    }

    public void Dispose() => _events.Dispose();
}
