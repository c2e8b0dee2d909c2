using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Client;
using Pipeline.Client.Hosting;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Results;

namespace Pipeline.IntegrationTests.Contracts;

/// <summary>
/// The calling side of issue 16's first gate: it uses only the contracts project and Pipeline.Client (the connection
/// is given no app manifest at all), against a real worker host process serving the app that implements them. A
/// service that injects <see cref="IPipelineClient"/> (from <c>AddPipeline(...).AddClient([])</c>) makes the same typed
/// calls against the same host.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class TypedCallTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task TypedCalls_ContractsOnly_CallClassSpawnGetMapAndCatchTimeout()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var connection = await PipelineConnection.ConnectAsync(
            TestClient.Options(servers),
            [],
            new PostgresResultStoreOptions { ConnectionString = servers.Postgres, Schema = servers.ResultsSchema });
        using var deadline = new CancellationTokenSource(Patience);
        var ct = deadline.Token;
        var client = connection.Client;

        var model = client.Cls<ITypedModel, TypedModelParameters>(new(_run));
        var reply = await model.RemoteAsync(m => m.DescribeAsync("hi", ct));

        Assert.Equal($"{_run}:3:hi", reply.Text);
        Assert.Equal((worker.Pid, 1, 3L), (reply.Pid, reply.Attempt, reply.Size));
        Assert.Matches("^fc-[0-9a-f]{32}$", reply.CallId);

        FunctionCall<int> spawned = await client.Function<ITypedJobs>().SpawnAsync(j => j.CubeAsync(3, ct));
        Assert.Equal(27, await client.Call<int>(spawned.Id).GetAsync(Patience, ct));

        var cubes = await client.Function<ITypedJobs>().MapAsync(Enumerable.Range(1, 10), (j, x) => j.CubeAsync(x, ct)).ToListAsync(ct);
        Assert.Equal(Enumerable.Range(1, 10).Select(x => x * x * x), cubes);

        var timeout = await Assert.ThrowsAsync<FunctionTimeoutException>(() => client.Function<ITypedJobs>().RemoteAsync(j => j.NapAsync(30_000, ct)));
        Assert.Contains("itest.nap timed out after 1 s", timeout.Message, StringComparison.Ordinal);

        await using var services = ClientServices();
        var injected = services.GetRequiredService<IPipelineClient>();

        var injectedReply = await injected.Cls<ITypedModel, TypedModelParameters>(new(_run)).RemoteAsync(m => m.DescribeAsync("di", ct));
        FunctionCall<int> injectedSpawn = await injected.Function<ITypedJobs>().SpawnAsync(j => j.CubeAsync(4, ct));
        var injectedCubes = await injected.Function<ITypedJobs>().MapAsync(Enumerable.Range(1, 5), (j, x) => j.CubeAsync(x, ct)).ToListAsync(ct);

        Assert.Equal($"{_run}:3:di", injectedReply.Text);
        Assert.Equal(64, await injected.Call<int>(injectedSpawn.Id).GetAsync(Patience, ct));
        Assert.Equal(Enumerable.Range(1, 5).Select(x => x * x * x), injectedCubes);
    }

    // A calling service's registration: the contracts and Pipeline.Client only, no app manifest.
    private ServiceProvider ClientServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:RabbitMq:ConnectionString"] = servers.RabbitMq,
            ["Pipeline:RabbitMq:ManagementUri"] = servers.ManagementUri.ToString(),
            ["Pipeline:Results:ConnectionString"] = servers.Postgres,
            ["Pipeline:Results:Schema"] = servers.ResultsSchema,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPipeline(configuration).AddClient([]);
        return services.BuildServiceProvider();
    }

    public void Dispose() => _events.Dispose();
}
