using System.Text.Json;

namespace Pipeline.RabbitMq.Tests;

[Collection(BrokerTests.Name)]
public sealed class ManagementApiTests(BrokerFixture broker) : IAsyncLifetime
{
    private readonly string _queue = BrokerFixture.NewQueueName();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => broker.DeletePoolAsync(_queue);

    [Fact]
    public async Task ListPoolQueuesAsync_PoolWithMessage_ReportsCountsOnceSampled()
    {
        var options = broker.Options();
        await using var topology = BrokerFixture.Topology(options);
        using var management = BrokerFixture.Management(options);
        await topology.DeclarePoolAsync(BrokerTopologyTests.FunctionPool(_queue), CancellationToken.None);
        await broker.PublishAsync(_queue);

        var queues = await BrokerFixture.EventuallyAsync(
            () => management.ListPoolQueuesAsync(CancellationToken.None),
            queues => queues.Any(q => q.Name == _queue && q.Messages == 1),
            $"the management API counts one message in {_queue}");

        var info = queues.Single(q => q.Name == _queue);
        Assert.Equal((1L, 1L, 0L, 0), (info.Messages, info.Ready, info.Unacked, info.Consumers));
        Assert.Equal("function", info.Arguments["x-pipeline-kind"]);
    }

    [Fact]
    public async Task ListPoolQueuesAsync_WrongPassword_SaysWhichSettingWithoutThePassword()
    {
        var uri = new UriBuilder(new Uri(broker.ConnectionString)) { Password = "not-the-password" }.Uri;
        using var management = BrokerFixture.Management(new RabbitMqOptions { ConnectionString = uri.ToString() });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => management.ListPoolQueuesAsync(CancellationToken.None));

        Assert.Contains("refused the credentials of Pipeline:RabbitMq:ConnectionString for user", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListPoolQueuesAsync_NothingListening_AsksAboutTheManagementPlugin()
    {
        using var management = BrokerFixture.Management(new RabbitMqOptions
        {
            ConnectionString = broker.ConnectionString,
            ManagementUri = new Uri("http://127.0.0.1:1/"),
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => management.ListPoolQueuesAsync(CancellationToken.None));

        Assert.Contains("is the management plugin enabled?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListPoolQueuesAsync_FirstNodeDown_AnswersFromTheNextAndStaysThere()
    {
        var options = broker.Options();
        options.ManagementUris.Add(new Uri("http://127.0.0.1:1/"));
        options.ManagementUris.Add(options.ManagementEndpoint);
        using var management = BrokerFixture.Management(options);

        await management.ListPoolQueuesAsync(CancellationToken.None);

        Assert.Equal(options.ManagementEndpoint, management.CurrentNode);
    }

    [Fact]
    public async Task ListPoolQueuesAsync_EveryNodeDown_NamesEachNodeAndTheSetting()
    {
        var options = broker.Options();
        options.ManagementUris.Add(new Uri("http://127.0.0.1:1/"));
        options.ManagementUris.Add(new Uri("http://127.0.0.1:2/"));
        using var management = BrokerFixture.Management(options);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => management.ListPoolQueuesAsync(CancellationToken.None));

        // Each node is named with what it did, so an operator sees which one to look at.
        Assert.Contains("http://127.0.0.1:1/ (connection refused)", error.Message, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:2/ (connection refused)", error.Message, StringComparison.Ordinal);
        Assert.Contains(":ManagementUris", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ApiAnswer_KeepsPoolsParsesIdleSinceAsUtcAndToleratesMissingStats()
    {
        using var answer = JsonDocument.Parse("""
            [
              { "name": "orders", "messages": 3, "arguments": {} },
              { "name": "a.f_error", "messages": 0, "arguments": { "x-queue-type": "quorum" } },
              { "name": "a.f", "messages": 5, "messages_ready": 4, "messages_unacknowledged": 1, "consumers": 2,
                "arguments": { "x-pipeline-app": "a", "x-delivery-limit": 20, "x-flag": true, "x-nested": { "k": 1 } },
                "idle_since": "2026-11-22 21:40:08" },
              { "name": "a.g", "arguments": { "x-pipeline-app": "a" } }
            ]
            """);

        var pools = ManagementApi.Read(answer.RootElement);

        Assert.Equal(["a.f", "a.g"], pools.Select(p => p.Name));
        var busy = pools[0];
        Assert.Equal((5L, 4L, 1L, 2), (busy.Messages, busy.Ready, busy.Unacked, busy.Consumers));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 21, 40, 8, TimeSpan.Zero), busy.IdleSince);
        Assert.Equal(20L, busy.Arguments["x-delivery-limit"]);
        Assert.Equal(true, busy.Arguments["x-flag"]);
        Assert.Equal("""{ "k": 1 }""", busy.Arguments["x-nested"]);
        var fresh = pools[1];
        Assert.Equal((0L, 0L, 0L, 0, (DateTimeOffset?)null), (fresh.Messages, fresh.Ready, fresh.Unacked, fresh.Consumers, fresh.IdleSince));
    }
}
