namespace Pipeline;

/// <summary>
/// Input concurrency per container (Modal's <c>@modal.concurrent</c>): one container of the function or class runs up to
/// <see cref="MaxInputs"/> inputs at once, for code that is safe to call concurrently (an engine with continuous
/// batching, an async HTTP client). The pool's prefetch follows <see cref="MaxInputs"/>; the autoscaler adds a
/// container while the inputs per container exceed <see cref="TargetInputs"/>. Not allowed together with
/// <see cref="BatchedAttribute"/>: a batched method already takes many inputs in one call.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ConcurrentAttribute : Attribute
{
    /// <summary>The most inputs one container runs at once; 1 to 1000. Default 1.</summary>
    public int MaxInputs { get; set; } = 1;

    /// <summary>
    /// The inputs per container the autoscaler aims for (it adds containers above it, while a container still takes up
    /// to <see cref="MaxInputs"/>); 1 to <see cref="MaxInputs"/>; 0 means <see cref="MaxInputs"/>. Default 0.
    /// </summary>
    public int TargetInputs { get; set; }
}
