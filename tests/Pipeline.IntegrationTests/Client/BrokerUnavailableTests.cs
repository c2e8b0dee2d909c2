using System.Diagnostics;
using System.Globalization;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Manifests;
using Pipeline.RabbitMq;

namespace Pipeline.IntegrationTests.Client;

/// <summary>
/// A client whose broker is down or unreachable fails each send with <see cref="BrokerUnavailableException"/> after
/// <c>Pipeline:RabbitMq:SendTimeout</c>, and the caller's own token still cancels with OperationCanceledException.
/// The broker that goes down is a private node of this test: the shared one is never stopped.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class BrokerUnavailableTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly IReadOnlyList<AppManifest> Apps = AppManifests.From(typeof(Work).Assembly);

    [Fact]
    public async Task ConnectAsync_PortNobodyListensOn_ThrowsBrokerUnavailableNamingTheBrokerAfterTheSendTimeout()
    {
        var port = ServerCommands.FreePort();
        var options = new RabbitMqOptions { ConnectionString = $"amqp://guest:secret@127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/", SendTimeout = TimeSpan.FromSeconds(2) };
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<BrokerUnavailableException>(() => PipelineConnection.ConnectAsync(options, Apps).WaitAsync(Patience));

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(1.9), $"gave up after {stopwatch.Elapsed}, before the send timeout");
        Assert.Contains($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:RabbitMq:SendTimeout", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), error.Timeout);
    }

    [Fact]
    public async Task ConnectAsync_PortNobodyListensOn_CallerTokenCancelsWithOperationCanceled()
    {
        var options = new RabbitMqOptions { ConnectionString = $"amqp://guest:guest@127.0.0.1:{ServerCommands.FreePort().ToString(CultureInfo.InvariantCulture)}/", SendTimeout = TimeSpan.FromMinutes(5) };
        using var caller = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PipelineConnection.ConnectAsync(options, Apps, cancellationToken: caller.Token).WaitAsync(Patience));

        Assert.Equal(caller.Token, error.CancellationToken);
    }

    [Fact]
    public async Task Sends_PrivateBrokerStopped_ThrowBrokerUnavailableOrTheCallersCancellation_AndWorkAgainOnceItStarts()
    {
        await using var broker = await PrivateRabbitMq.StartAsync();
        var options = new RabbitMqOptions { ConnectionString = broker.AmqpUri, ManagementUri = broker.ManagementUri, SendTimeout = TimeSpan.FromSeconds(3) };
        await using var connection = await PipelineConnection.ConnectAsync(options, Apps).WaitAsync(Patience);
        var echo = connection.Client.Function("itest", "echo");
        await echo.SpawnAsync(["before"]).WaitAsync(Patience);

        await broker.StopAppAsync();

        var spawn = await Assert.ThrowsAsync<BrokerUnavailableException>(() => echo.SpawnAsync(["during"]).WaitAsync(Patience));
        Assert.Contains($"127.0.0.1:{broker.Port.ToString(CultureInfo.InvariantCulture)}", spawn.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BrokerUnavailableException>(() => echo.RemoteAsync<Reply>(["during"]).WaitAsync(Patience));
        await Assert.ThrowsAsync<BrokerUnavailableException>(() => FirstAsync(echo.MapAsync<Reply>(["a", "b", "c"])).WaitAsync(Patience));
        using (var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
        {
            var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => echo.SpawnAsync(["cancelled"], caller.Token).WaitAsync(Patience));
            Assert.IsNotType<BrokerUnavailableException>(cancelled);
        }

        await broker.StartAppAsync();
        await SpawnWhenBackAsync(echo, "after");

        // What timed out was not sent behind the caller's back: only the inputs sent while the broker was up are queued.
        var depth = await QueueDepth.ReadAsync(broker.AmqpUri, ["itest.echo"]);
        Assert.Equal(2u, depth["itest.echo"]);
    }

    // The client's bus reconnects with back-off after the broker is back: a send may still time out until it has.
    private static async Task SpawnWhenBackAsync(FunctionHandle echo, string tag)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await echo.SpawnAsync([tag]).WaitAsync(Patience);
                return;
            }
            catch (BrokerUnavailableException) when (DateTime.UtcNow < deadline)
            {
                // Not reconnected yet; the send itself waited its timeout, so this loop does not spin.
            }
        }
    }

    private static async Task<T> FirstAsync<T>(IAsyncEnumerable<T> items)
    {
        await foreach (var item in items)
        {
            return item;
        }

        throw new InvalidOperationException("The map returned nothing.");
    }
}
