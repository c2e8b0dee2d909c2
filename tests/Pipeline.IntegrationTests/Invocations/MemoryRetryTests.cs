using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Invocations;

/// <summary>
/// Retries of a worker host without PostgreSQL: the delay waits outside the consumer, so a class pool (one input at a
/// time) serves its other inputs during a retry's back-off, and the retried call still gets its result.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class MemoryRetryTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly EventLog _events = new();
    private readonly string _tag = "memory-retry-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ClassPool_RetryWaitingItsBackoff_DoesNotBlockTheNextInput()
    {
        var withoutPostgres = new Dictionary<string, string?> { ["Pipeline__Results__ConnectionString"] = null, ["PIPELINE_POSTGRES"] = null };
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, environment: withoutPostgres);
        await using var session = await TestClient.StartAsync(servers);
        var model = session.Client.Cls("itest", "retrying-model").With();

        // Fails once, then waits 30 s for its retry.
        var retried = model.Method("slow-retry").RemoteAsync<Reply>([_tag]);
        await Eventually.TrueAsync(() => _events.Count("model-slow-retry", _tag) == 1, Patience, "the first attempt ran and failed");

        var echo = await model.Method("echo").RemoteAsync<Reply>([_tag]).WaitAsync(Patience);

        // Held in the consumer, the retry's back-off would have kept the pool (one input at a time, prefetch 1) from
        // taking the echo until the second attempt had run: the order of the two is the evidence, not a wall-clock bound.
        Assert.Equal(_tag, echo.Tag);
        Assert.True(_events.Count("model-slow-retry", _tag) == 1, "The echo was served only after the retry's second attempt: the back-off occupied the class pool.");
        Assert.Equal(_tag, (await retried.WaitAsync(Patience)).Tag);
        Assert.Equal(2, _events.Count("model-slow-retry", _tag));
        Assert.Contains("Retry delays are held in memory", worker.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _events.Dispose();
}
