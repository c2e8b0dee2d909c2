namespace Pipeline.Consumers.Discovery;

/// <summary>The resolved, validated options of a function or class (see <see cref="ContainerOptionsAttribute"/>).</summary>
internal sealed record ContainerSettings
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(300);
    public static readonly TimeSpan DefaultScaledownWindow = TimeSpan.FromSeconds(60);

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public RetryPolicy Retries { get; init; } = RetryPolicy.None;

    public string? Gpu { get; init; }

    public int MinContainers { get; init; }

    public int MaxContainers { get; init; }

    public TimeSpan ScaledownWindow { get; init; } = DefaultScaledownWindow;

    public int BufferContainers { get; init; }

    /// <summary>From <c>[Concurrent]</c>: the most inputs one container runs at once; null without the attribute.</summary>
    public int? MaxInputs { get; init; }

    /// <summary>From <c>[Concurrent]</c>: the inputs per container the autoscaler aims for; null without the attribute.</summary>
    public int? TargetInputs { get; init; }
}
