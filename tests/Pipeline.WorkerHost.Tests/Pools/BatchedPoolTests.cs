using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;
using Pipeline.Results;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Tests.Pools;

/// <summary>
/// A pool's prefetch and concurrency fit its batches, so a batch is never silently capped by them: each container takes
/// its batches, and the host's prefetch covers every container it could run of the pool (4 CPU slots, 1 GPU here).
/// </summary>
public sealed class BatchedPoolTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(BatchedFunctions), typeof(BatchedModel), typeof(OnlyBatchedModel)]);

    private readonly FakeTimeProvider _time = new();
    private readonly FakePoolTransport _transport = new();

    [Theory]
    [InlineData("embed", 64, 64 * 4)]
    [InlineData("embed-on-gpu", 48, 48)]
    [InlineData("plain", 16, 100)]
    public async Task EnsureAsync_FunctionPool_ConcurrencyIsMaxBatchSizeOrFunctionConcurrency_PrefetchIsFunctionPrefetchExceptOnGpu(string function, int concurrency, int prefetch)
    {
        await Create().EnsureAsync(new PoolDemanded { Queue = QueueNames.ForFunction("batched-pools", function), App = "batched-pools", Function = function }, CancellationToken.None);

        var plan = Assert.Single(_transport.Plans);
        Assert.Equal((concurrency, prefetch), (plan.Concurrency, plan.Prefetch));
    }

    [Fact]
    public async Task EnsureAsync_FunctionPool_BatchLargerThanFunctionPrefetch_PrefetchIsTheBatch()
    {
        await Create(functionPrefetch: 32).EnsureAsync(new PoolDemanded { Queue = QueueNames.ForFunction("batched-pools", "embed"), App = "batched-pools", Function = "embed" }, CancellationToken.None);

        var plan = Assert.Single(_transport.Plans);
        Assert.Equal((64, 64 * 4), (plan.Concurrency, plan.Prefetch));
    }

    [Theory]
    [InlineData("batched-model", 1 + 8 + 24)]
    [InlineData("only-batched-model", 8)]
    public async Task EnsureAsync_ClassPool_TakesItsBatchesSummedPlusOneForItsOtherMethods(string cls, int expected)
    {
        await Create().EnsureAsync(new PoolDemanded { Queue = QueueNames.ForClass("batched-pools", cls, ParameterSet.Empty), App = "batched-pools", Class = cls }, CancellationToken.None);

        var plan = Assert.Single(_transport.Plans);
        Assert.Equal((expected, expected * 4, 4), (plan.Concurrency, plan.Prefetch, plan.Capacity));
    }

    private PoolManager Create(int functionPrefetch = 100) => new(
        Registry,
        _transport,
        new SlotInventory(4, GpuDevice.FromNames(["NVIDIA H100 80GB HBM3"])),
        new InvocationHandler(Registry, new CallCancellations(_time), _time, NullLogger<InvocationHandler>.Instance),
        new InMemoryResultStore(_time),
        new HoldingRetryScheduler(_time),
        TestReplies.Create(),
        _time,
        Options.Create(new WorkerOptions { FunctionConcurrency = 16, FunctionPrefetch = functionPrefetch }),
        NullLoggerFactory.Instance);

    [App("batched-pools")]
    public static class BatchedFunctions
    {
        [Function, Batched(MaxBatchSize = 64, WaitMs = 10)]
        public static List<int> Embed(List<int> xs) => xs;

        [Function(Gpu = "H100"), Batched(MaxBatchSize = 48, WaitMs = 10)]
        public static List<int> EmbedOnGpu(List<int> xs) => xs;

        [Function]
        public static int Plain(int x) => x;
    }

    [App("batched-pools"), Cls]
    public sealed class BatchedModel
    {
        [Method, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public List<int> Embed(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 24, WaitMs = 10)]
        public List<int> Rank(List<int> xs) => xs;

        [Method]
        public string Describe() => "model";
    }

    [App("batched-pools"), Cls]
    public sealed class OnlyBatchedModel
    {
        [Method, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public List<int> Embed(List<int> xs) => xs;
    }
}
