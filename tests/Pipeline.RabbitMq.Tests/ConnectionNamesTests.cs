using System.Net.Http.Headers;
using System.Text.Json;
using MassTransit;

namespace Pipeline.RabbitMq.Tests;

/// <summary>
/// An operator (and the cluster node-loss test) reads from the management API which process holds which connection on
/// which node: the bus and the topology connection carry their role, the machine and the process id.
/// </summary>
[Collection(BrokerTests.Name)]
public sealed class ConnectionNamesTests(BrokerFixture broker) : IAsyncLifetime
{
    private readonly string _queue = BrokerFixture.NewQueueName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => broker.DeletePoolAsync(_queue);

    [Fact]
    public async Task BusAndTopologyConnections_Open_ManagementApiListsRoleMachineAndProcess()
    {
        var options = broker.Options();
        await using var topology = BrokerFixture.Topology(options);
        await topology.DeclarePoolAsync(BrokerTopologyTests.FunctionPool(_queue), CancellationToken.None);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.UseBroker(options));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StartAsync(deadline.Token);
        try
        {
            string[] expected =
            [
                $"pipeline-bus {Environment.MachineName}/{Environment.ProcessId}",
                $"pipeline-topology {Environment.MachineName}/{Environment.ProcessId}",
            ];
            var names = await BrokerFixture.EventuallyAsync(
                () => ConnectionNamesAsync(options),
                names => expected.All(names.Contains),
                $"the management API lists connections named {string.Join(" and ", expected)}",
                seconds: 30);

            Assert.Subset(names, expected.ToHashSet());
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<HashSet<string>> ConnectionNamesAsync(RabbitMqOptions options)
    {
        var (user, password) = options.Credentials;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var document = JsonDocument.Parse(await http.GetStringAsync(
            new Uri(options.ManagementEndpoints[0], $"api/vhosts/{Uri.EscapeDataString(options.VirtualHost)}/connections")));
        return document.RootElement.EnumerateArray()
            .Select(c => c.TryGetProperty("client_properties", out var p) && p.TryGetProperty("connection_name", out var n) ? n.GetString() : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
    }
}
