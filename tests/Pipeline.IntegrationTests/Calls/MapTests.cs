using System.Diagnostics;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Pipeline.IntegrationTests.Calls;

[Collection(ServersGroup.Name)]
public sealed class MapTests(Servers servers, ITestOutputHelper output) : IDisposable
{
    private readonly EventLog _events = new();

    [Fact]
    public async Task MapAsync_TenThousandInputsOverRabbitMq_ReturnsEveryResultInInputOrder()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var run = Guid.NewGuid().ToString("N")[..8];
        var inputs = Enumerable.Range(0, 10_000).Select(i => (object?)$"{run}-{i}").ToList();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stopwatch = Stopwatch.StartNew();

        var tags = new List<string>(inputs.Count);
        await foreach (var reply in session.Client.Function("itest", "echo").MapAsync<Reply>(inputs, new MapOptions { MaxInFlight = 1000 }, deadline.Token))
        {
            tags.Add(reply.Tag);
        }

        output.WriteLine($"10,000 remote inputs in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(inputs.Cast<string>(), tags);
        Assert.Equal(10_000, _events.Read().Count(e => e.Kind == "echo" && e.Subject.StartsWith(run, StringComparison.Ordinal)));
    }

    public void Dispose() => _events.Dispose();
}
