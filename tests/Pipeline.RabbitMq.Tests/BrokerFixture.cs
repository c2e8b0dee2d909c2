using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.RabbitMq.Tests;

/// <summary>
/// The local broker (PIPELINE_RABBITMQ, else the infra/up.sh default), checked once per run. An unreachable broker
/// fails every broker test with a message saying how to start it: a silently skipped test proves nothing.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private IConnection? _connection;

    public string ConnectionString { get; } = RabbitMqOptions.ResolveConnectionString(
        null, Environment.GetEnvironmentVariable(RabbitMqOptions.EnvironmentVariable));

    /// <summary>A plain client connection, for what the tests do besides the code under test (publish, consume, clean up).</summary>
    internal IConnection Connection => _connection ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var options = Options();
        try
        {
            _connection = await new ConnectionFactory { Uri = options.AmqpUri, ClientProvidedName = "pipeline-rabbitmq-tests" }
                .CreateConnectionAsync();
        }
        catch (BrokerUnreachableException e)
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not reachable at {options.Redacted}: run infra/up.sh (or set {RabbitMqOptions.EnvironmentVariable} " +
                $"to a broker with the management plugin). {e.InnerException?.Message ?? e.Message}",
                e);
        }
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }
    }

    internal RabbitMqOptions Options(RabbitMqQueueType queueType = RabbitMqQueueType.Classic) =>
        new() { ConnectionString = ConnectionString, QueueType = queueType };

    internal static BrokerTopology Topology(RabbitMqOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), NullLogger<BrokerTopology>.Instance);

    internal static ManagementApi Management(RabbitMqOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options));

    /// <summary>A queue name no other test or run uses; pool names have no '_', so the guid has no dashes either.</summary>
    internal static string NewQueueName() => $"test.{Guid.NewGuid():N}";

    /// <summary>Publishes with confirms: when this returns, the broker has the message.</summary>
    internal async Task PublishAsync(string queue, string body = "hello")
    {
        var channel = await Connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await using (channel)
        {
            await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, System.Text.Encoding.UTF8.GetBytes(body));
        }
    }

    /// <summary>Removes a pool's queues and exchanges whatever they hold.</summary>
    internal async Task DeletePoolAsync(string queue)
    {
        foreach (var name in new[] { queue, queue + "_error" })
        {
            var channel = await Connection.CreateChannelAsync();
            await using (channel)
            {
                await channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false);
                await channel.ExchangeDeleteAsync(name, ifUnused: false);
            }
        }
    }

    /// <summary>Whether an exchange exists (a passive declare).</summary>
    internal async Task<bool> ExchangeExistsAsync(string exchange)
    {
        var channel = await Connection.CreateChannelAsync();
        await using (channel)
        {
            try
            {
                await channel.ExchangeDeclarePassiveAsync(exchange);
                return true;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.NotFound)
            {
                return false;
            }
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value that satisfies <paramref name="done"/>, or fails at the deadline.</summary>
    internal static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Within {seconds} s: {what}");
            }

            await poll.WaitForNextTickAsync();
        }
    }
}
