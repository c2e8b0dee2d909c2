namespace Pipeline.WorkerHost;

/// <summary>Settings of a worker host, bound from the <c>Pipeline:Worker</c> configuration section.</summary>
public sealed class WorkerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Pipeline:Worker";

    /// <summary>How long <c>exit</c> hooks and in-flight inputs get when the host stops. Default 30 s (Modal's grace period).</summary>
    public TimeSpan ExitGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many inputs of one function pool run at once in this host. Default 16. Class pools run one at a time per container.</summary>
    public int FunctionConcurrency { get; set; } = 16;

    /// <summary>How long after a failed <c>enter</c> the next input gets a fresh container. Default 5 s.</summary>
    public TimeSpan EnterRestartBackoff { get; set; } = TimeSpan.FromSeconds(5);
}
