namespace Pipeline;

/// <summary>
/// Dynamic batching (Modal's <c>@modal.batched</c>): callers send single inputs; the container calls the method
/// with up to <see cref="MaxBatchSize"/> of them, or after <see cref="WaitMs"/>, whichever comes first.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class BatchedAttribute : Attribute
{
    /// <summary>The most inputs in one call; 1 to 1000.</summary>
    public int MaxBatchSize { get; set; }

    /// <summary>How long the first input of a batch waits for more, in milliseconds; 0 to 600000.</summary>
    public int WaitMs { get; set; }
}
