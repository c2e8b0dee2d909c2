using System.Globalization;
using Pipeline.Client;

namespace Pipeline.Embedded.Tests;

/// <summary>Batching in the embedded mode: the same consumer over the in-memory transport, by every call style.</summary>
public sealed class BatchingTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _run = Guid.NewGuid().ToString("N");
    private EmbeddedPipeline _pipeline = null!;

    private FunctionHandle Triple => _pipeline.Client.Function("embedded", "batched-triple");

    public async Task InitializeAsync() => _pipeline = await EmbeddedPipeline.StartAsync([typeof(Batched).Assembly]);

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    [Fact]
    public async Task StarMapAsync_TwentyInputs_RunInBatchesOfAtMostEightAndReturnInInputOrder()
    {
        using var deadline = new CancellationTokenSource(Patience);
        var results = new List<int>();
        await foreach (var result in Triple.StarMapAsync<int>(Enumerable.Range(0, 20).Select(i => (IReadOnlyList<object?>)[_run, i]), cancellationToken: deadline.Token))
        {
            results.Add(result);
        }

        var batches = Batches();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 3), results);
        Assert.All(batches, b => Assert.InRange(b.Count, 1, 8));
        Assert.Equal(Enumerable.Range(0, 20), batches.SelectMany(b => b).Order());
        Assert.True(batches.Count < 20, $"20 inputs ran in {batches.Count} batches: they were not batched.");
    }

    [Fact]
    public async Task RemoteSpawnAndSend_SingleInputs_EachRunsInABatchAndTheCallerGetsItsOwnResult()
    {
        var remote = Triple.RemoteAsync<int>([_run, 1]);
        var spawned = await Triple.SpawnAsync([_run, 2]);
        await Triple.SendAsync([_run, 3]);

        Assert.Equal(3, await remote.WaitAsync(Patience));
        Assert.Equal(6, await spawned.GetAsync<int>(Patience));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var deadline = DateTime.UtcNow + Patience;
        while (!Batches().SelectMany(b => b).Contains(3))
        {
            Assert.True(DateTime.UtcNow < deadline, "The sent input never ran.");
            await timer.WaitForNextTickAsync();
        }

        Assert.Equal([1, 2, 3], Batches().SelectMany(b => b).Order());
    }

    private List<List<int>> Batches() => Events.Of(_run)
        .Select(e => e.Split(':')[1].Split(',').Select(i => int.Parse(i, CultureInfo.InvariantCulture)).ToList())
        .ToList();
}
