namespace Pipeline;

/// <summary>Options shared by <see cref="FunctionAttribute"/> and <see cref="ClsAttribute"/>: how containers run and scale.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public abstract class ContainerOptionsAttribute : Attribute
{
    /// <summary>The name callers use; defaults to the C# name in kebab-case without <c>Async</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Per-attempt timeout as a <see cref="TimeSpan"/> string (<c>"00:10:00"</c>); 1 s to 24 h; default 300 s.</summary>
    public string? Timeout { get; set; }

    /// <summary>Retries with a fixed 1 s delay (Modal's <c>retries=N</c>); use <see cref="RetriesAttribute"/> for back-off. Default 0.</summary>
    public int Retries { get; set; }

    /// <summary>GPU requirement in Modal's syntax: <c>"H100"</c>, <c>"A100-80GB:2"</c>, <c>"any"</c>, or a fallback list <c>"H100, A100-80GB:2"</c>.</summary>
    public string? Gpu { get; set; }

    /// <summary>Containers kept running across all hosts even when idle (warm). Default 0.</summary>
    public int MinContainers { get; set; }

    /// <summary>The most containers across all hosts; 0 means no limit. Default 0.</summary>
    public int MaxContainers { get; set; }

    /// <summary>
    /// Extra idle containers kept while the pool is busy (Modal's <c>buffer_containers</c>), so a burst does not wait
    /// for <c>enter</c>; within <see cref="MaxContainers"/>. Default 0.
    /// </summary>
    public int BufferContainers { get; set; }

    /// <summary>How long an idle container waits before running <c>exit</c> and stopping (<c>"00:01:00"</c>); 2 s to 20 min; default 60 s.</summary>
    public string? ScaledownWindow { get; set; }
}
