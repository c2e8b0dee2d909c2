using System.Diagnostics;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.IntegrationTests.Invocations;
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

    [Fact]
    public async Task StarMapAsync_EachInputFailsOnce_EveryInputRetriedOnItsOwnAndSucceeds()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var run = Guid.NewGuid().ToString("N")[..8];

        // More inputs than the map sends one by one before it knows their run time, so most travel in chunks.
        var tags = Enumerable.Range(0, 200).Select(i => $"{run}-{i}").ToList();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var replies = new List<string>();
        await foreach (var reply in session.Client.Function("itest", "flaky").StarMapAsync<Reply>(tags.Select(t => (IReadOnlyList<object?>)[t, 1]), cancellationToken: deadline.Token))
        {
            replies.Add(reply.Tag);
        }

        Assert.Equal(tags, replies);
        var runs = _events.Read().Where(e => e.Kind == "flaky" && e.Subject.StartsWith(run, StringComparison.Ordinal)).GroupBy(e => e.Subject).ToList();
        Assert.Equal(200, runs.Count);
        Assert.All(runs, r => Assert.Equal(2, r.Count()));
    }

    [Fact]
    public async Task MapResultsAsync_EveryInputFails_EachErrorInPlaceAndEachInputInTheErrorQueue()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var run = Guid.NewGuid().ToString("N")[..8];
        var tags = Enumerable.Range(0, 150).Select(i => (object?)$"{run}-{i}").ToList();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var results = new List<MapResult<Reply>>();
        await foreach (var result in session.Client.Function("itest", "never-succeeds").MapResultsAsync<Reply>(tags, cancellationToken: deadline.Token))
        {
            results.Add(result);
        }

        Assert.Equal(Enumerable.Range(0, 150), results.Select(r => r.Index));
        Assert.All(results, r => Assert.Contains($"{tags[r.Index]} fails on purpose", r.Error!.RemoteMessage, StringComparison.Ordinal));
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        var deadLetters = await raw.TakeAllAsync("itest.never-succeeds_error", run, 150, TimeSpan.FromSeconds(60));
        Assert.Equal(150, deadLetters.Select(d => d.Body).Distinct().Count());
        Assert.All(deadLetters, d => Assert.Equal(("Failed", "2"), (d.Headers["pipeline-status"], d.Headers["pipeline-attempts"])));
        Assert.All(deadLetters, d => Assert.Contains("urn:message:Pipeline.Messages.Invocations:RunInvocation", d.Body, StringComparison.Ordinal));
    }

    public void Dispose() => _events.Dispose();
}
