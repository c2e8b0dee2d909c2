using System.Diagnostics;
using System.Globalization;
using Pipeline.Client;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Invocations;
using Xunit.Abstractions;

namespace Pipeline.IntegrationTests.Batching;

/// <summary>
/// Dynamic batching over RabbitMQ with a real worker process: callers send single inputs, the container runs them in
/// batches of at most MaxBatchSize (its prefetch fits the batch), each caller gets its own result, a lone input waits
/// WaitMs and no more, and a failed batch fails each of its inputs, which then follow their own retry policy.
/// Every batch the test app runs writes one event with its size, start time and inputs.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class BatchingTests(Servers servers, BatchingWorker worker, ITestOutputHelper output) : IClassFixture<BatchingWorker>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _tag = "batch-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task RemoteAsync_ThousandConcurrentCallsWithMaxBatchSize32_BatchesOfAtMost32EachCallerItsOwnResultEachInputOnce()
    {
        var client = await worker.StartAsync(servers);
        var square = client.Function("itest", "square");

        // One call first: the pool forms, and the client's reply endpoint exists before 1,000 callers need it at once.
        await square.RemoteAsync<int>([_tag + "-warm", 1]).WaitAsync(Patience);
        var stopwatch = Stopwatch.StartNew();

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => square.RemoteAsync<int>([_tag, i]))).WaitAsync(Patience);

        var batches = Batches("square");
        output.WriteLine($"1,000 calls in {stopwatch.Elapsed.TotalSeconds:0.0} s, {batches.Count} batches, mean size {batches.Average(b => b.Size):0.0}");
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * i), results);
        Assert.All(batches, b => Assert.InRange(b.Size, 1, 32));
        Assert.Equal(32, batches.Max(b => b.Size));
        var ran = batches.SelectMany(b => b.Inputs).ToList();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"{_tag}:{i}").Order(StringComparer.Ordinal), ran.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RemoteAsync_LoneInput_RunsNoSoonerThanWaitMsAfterItWasSent()
    {
        var client = await worker.StartAsync(servers);
        var square = client.Function("itest", "square");
        await square.RemoteAsync<int>([_tag + "-warm", 1]).WaitAsync(Patience);

        var sent = DateTimeOffset.UtcNow;
        var result = await square.RemoteAsync<int>([_tag, 12]).WaitAsync(Patience);
        var returned = DateTimeOffset.UtcNow;

        var batch = Assert.Single(Batches("square"));
        var waited = batch.Started - sent;
        output.WriteLine($"lone input: batch started {waited.TotalMilliseconds:0} ms after the call, returned after {(returned - sent).TotalMilliseconds:0} ms (WaitMs 500)");
        Assert.Equal(144, result);
        Assert.Equal(1, batch.Size);
        Assert.True(waited >= TimeSpan.FromMilliseconds(500), $"The lone input ran {waited.TotalMilliseconds:0} ms after it was sent, before WaitMs (500 ms).");
    }

    [Fact]
    public async Task RemoteAsync_BatchThrowsWithoutRetries_EveryCallerInItGetsTheFailure()
    {
        var client = await worker.StartAsync(servers);
        var fails = client.Function("itest", "fail-every-batch");

        var calls = Enumerable.Range(0, 4).Select(i => fails.RemoteAsync<string>([_tag, i])).ToList();
        var errors = new List<RemoteException>();
        foreach (var call in calls)
        {
            errors.Add(await Assert.ThrowsAnyAsync<RemoteException>(() => call.WaitAsync(Patience)));
        }

        var batches = Batches("fail-every-batch");
        Assert.All(errors, e =>
        {
            Assert.Equal(InvocationStatus.Failed, e.Status);
            Assert.Equal(typeof(InvalidOperationException).FullName, e.RemoteType);
        });
        foreach (var batch in batches)
        {
            Assert.Equal(batch.Size, errors.Count(e => e.RemoteMessage == $"a batch of {batch.Size} fails on purpose"));
        }

        Assert.Equal(4, batches.Sum(b => b.Size));
    }

    [Fact]
    public async Task RemoteAsync_BatchFailsWithRetries_EachInputIsRunAgainByItsOwnPolicyAndEveryCallerGetsItsResult()
    {
        var client = await worker.StartAsync(servers);
        var flaky = client.Function("itest", "fail-first");

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => flaky.RemoteAsync<string>([_tag, i]))).WaitAsync(Patience);

        // Every item's first batch fails (the function fails a batch holding a fresh item); each is retried and then
        // succeeds exactly once.
        var failed = Batches("fail-first-failed").SelectMany(b => b.Inputs).ToList();
        var succeeded = Batches("fail-first-ok").SelectMany(b => b.Inputs).ToList();
        var expected = Enumerable.Range(0, 6).Select(i => $"{_tag}:{i}").ToList();
        Assert.Equal(expected, results);
        Assert.Equal(expected, failed.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(expected, succeeded.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StarMapAsync_ClassWithBatchedAndPlainMethod_ShareOneContainerAndEnterOnce()
    {
        var client = await worker.StartAsync(servers);
        var model = client.Cls("itest", "batching-model").With(new { name = _tag });

        using var deadline = new CancellationTokenSource(Patience);

        var describe = model.Method("describe").RemoteAsync<string>(deadline.Token);
        var embeddings = new List<string>();
        await foreach (var embedding in model.Method("embed").StarMapAsync<string>(Enumerable.Range(0, 20).Select(i => (IReadOnlyList<object?>)[_tag, i]), cancellationToken: deadline.Token))
        {
            embeddings.Add(embedding);
        }

        Assert.Equal($"{_tag}:{worker.Pid}", await describe);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{_tag}:{i}:{worker.Pid}"), embeddings);
        Assert.All(Batches("embed-batch"), b => Assert.InRange(b.Size, 1, 8));
        Assert.Equal(20, Batches("embed-batch").Sum(b => b.Size));
        Assert.Equal(1, worker.Events.Count("batching-enter", _tag));
    }

    // The batches of this test's tag: size, start, and inputs as "tag:item".
    private List<(int Size, DateTimeOffset Started, List<string> Inputs)> Batches(string kind) => worker.Events.Read()
        .Where(e => e.Kind == kind)
        .Select(e => e.Subject.Split('#'))
        .Select(p => (Size: int.Parse(p[0], CultureInfo.InvariantCulture), Started: DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(p[1], CultureInfo.InvariantCulture)), Inputs: p[2].Split(',').ToList()))
        .Where(b => b.Inputs.All(i => i.StartsWith(_tag + ":", StringComparison.Ordinal)))
        .ToList();
}
