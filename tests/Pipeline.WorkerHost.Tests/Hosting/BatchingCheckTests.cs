using Pipeline.Consumers.Discovery;
using Pipeline.WorkerHost.Hosting;

namespace Pipeline.WorkerHost.Tests.Hosting;

public sealed class BatchingCheckTests
{
    [Fact]
    public void Problems_WaitMsPlusTimeoutLongerThanConsumerTimeout_NamesTheMethodAndTheNumbers()
    {
        var registry = AppDiscovery.Discover([typeof(SlowBatches)]);

        var problem = Assert.Single(BatchingCheck.Problems(registry, TimeSpan.FromMinutes(30)));

        Assert.Contains("slow-batches.embed", problem, StringComparison.Ordinal);
        Assert.Contains("00:30:00", problem, StringComparison.Ordinal);
        Assert.Contains("WaitMs 600000", problem, StringComparison.Ordinal);
        Assert.Contains("Timeout 00:25:00", problem, StringComparison.Ordinal);
        Assert.Contains("Pipeline:RabbitMq:ConsumerTimeout", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_BatchesThatFitAPrefetchAndTheBroker_None()
    {
        var registry = AppDiscovery.Discover([typeof(SlowBatches)]);

        Assert.Empty(BatchingCheck.Problems(registry, TimeSpan.FromHours(25)));
    }

    [Fact]
    public void Problems_ClassWhoseBatchesNeedMoreThanAConsumersPrefetch_NamesTheClassAndBothNumbers()
    {
        var registry = AppDiscovery.Discover([typeof(HugeBatches)]);

        var problem = Assert.Single(BatchingCheck.Problems(registry, TimeSpan.FromHours(25)));

        Assert.Contains("huge.huge-batches", problem, StringComparison.Ordinal);
        Assert.Contains("prefetch of 66001", problem, StringComparison.Ordinal);
        Assert.Contains("65535", problem, StringComparison.Ordinal);
    }

    [App("slow-batches")]
    public static class SlowBatches
    {
        [Function(Timeout = "00:25:00"), Batched(MaxBatchSize = 8, WaitMs = 600_000)]
        public static List<int> Embed(List<int> xs) => xs;

        [Function(Timeout = "00:25:00"), Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static List<int> Quick(List<int> xs) => xs;
    }

    /// <summary>66 batched methods of 1,000 plus a plain one: more than AMQP's 16-bit prefetch-count.</summary>
    [App("huge"), Cls]
    public sealed class HugeBatches
    {
        [Method]
        public int Plain() => 1;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M00(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M01(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M02(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M03(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M04(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M05(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M06(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M07(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M08(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M09(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M10(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M11(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M12(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M13(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M14(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M15(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M16(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M17(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M18(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M19(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M20(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M21(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M22(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M23(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M24(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M25(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M26(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M27(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M28(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M29(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M30(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M31(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M32(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M33(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M34(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M35(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M36(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M37(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M38(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M39(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M40(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M41(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M42(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M43(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M44(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M45(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M46(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M47(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M48(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M49(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M50(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M51(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M52(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M53(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M54(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M55(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M56(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M57(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M58(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M59(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M60(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M61(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M62(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M63(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M64(List<int> xs) => xs;

        [Method, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public List<int> M65(List<int> xs) => xs;
    }
}
