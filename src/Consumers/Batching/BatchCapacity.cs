using Pipeline.Consumers.Discovery;

namespace Pipeline.Consumers.Batching;

/// <summary>
/// How many inputs a pool takes at once (its prefetch and concurrency), so a batch is never silently capped by them
/// (MassTransit's Batch&lt;T&gt; and celery-batches pitfall): a batched function takes its <c>MaxBatchSize</c>; a class
/// takes the sum of its batched methods' sizes, plus one for its other methods, which still run one at a time.
/// </summary>
internal static class BatchCapacity
{
    /// <summary>The most one RabbitMQ consumer can be given: AMQP's prefetch-count is a 16-bit number.</summary>
    public const int MaxPrefetch = ushort.MaxValue;

    /// <summary>A function pool's concurrency: <paramref name="unbatched"/> unless it batches.</summary>
    public static int ForFunction(Callable function, int unbatched) => function.Batched is { } batched ? batched.MaxBatchSize : unbatched;

    /// <summary>A class pool's concurrency: 1 without batched methods, as before.</summary>
    public static int ForClass(ClassDefinition cls)
    {
        var batched = cls.Methods.Values.Where(m => m.Batched is not null).ToList();
        var others = cls.Methods.Count > batched.Count ? 1 : 0;
        return batched.Count == 0 ? 1 : others + batched.Sum(m => m.Batched!.MaxBatchSize);
    }
}
