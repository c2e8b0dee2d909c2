namespace Pipeline.Consumers.Batching;

/// <summary>A held <see cref="InstanceTurn"/>; the default value holds nothing.</summary>
internal readonly struct Turn(TaskCompletionSource? held) : IDisposable
{
    public void Dispose() => held?.TrySetResult();
}
