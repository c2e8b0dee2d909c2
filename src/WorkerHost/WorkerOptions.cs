namespace Pipeline.WorkerHost;

/// <summary>Settings of a worker host, bound from the <c>Pipeline:Worker</c> configuration section.</summary>
public sealed class WorkerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Pipeline:Worker";

    /// <summary>Paths of the app assemblies to serve (the generic host only; an app that hosts itself passes its assembly). No default.</summary>
    public IList<string> Apps { get; } = [];

    /// <summary>How long in-flight inputs and <c>exit</c> hooks get when the host stops. Default 30 s (Modal's grace period).</summary>
    public TimeSpan ExitGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many inputs of one function pool run at once in this host. Default 16. Class pools run one at a time per container.</summary>
    public int FunctionConcurrency { get; set; } = 16;

    /// <summary>
    /// How many inputs the broker hands a function pool without a GPU ahead of time (RabbitMQ's prefetch), when more
    /// than <see cref="FunctionConcurrency"/>. Default 200, in the 100 to 300 RabbitMQ recommends for short work: a
    /// consumer at prefetch 16 waits on the broker between inputs. Set it to <see cref="FunctionConcurrency"/> for long
    /// functions served by several hosts, so inputs do not wait here while another host is idle. GPU and class pools
    /// always take as many as they run.
    /// </summary>
    public int FunctionPrefetch { get; set; } = 200;

    /// <summary>
    /// How long an attempt may run on after its token fired (its <c>Timeout</c> passed, or the call was cancelled)
    /// before its in-process container is marked stuck: the container takes no more input, a fresh one replaces it,
    /// readiness reports the stuck attempt, and the old container's <c>exit</c> runs only when the attempt returns.
    /// Code that honours its token ends well within it. Default 5 s; 100 ms to 10 min.
    /// </summary>
    public TimeSpan StuckAttemptGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long after a failed <c>enter</c> the next input gets a fresh container. Default 5 s.</summary>
    public TimeSpan EnterRestartBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Containers without a GPU requirement this host keeps at once. Default: 8 per processor, since an idle
    /// container costs memory, not CPU; when all are taken, the least recently used idle container makes room.
    /// </summary>
    public int CpuSlots { get; set; } = 8 * Environment.ProcessorCount;

    /// <summary>
    /// A declared GPU inventory (model names, one per GPU, for example <c>["NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"]</c>)
    /// used instead of asking <c>nvidia-smi</c>; tests declare a fake one. Default: empty, meaning detect.
    /// </summary>
    public IList<string> Gpus { get; } = [];

    /// <summary>Whether to ask <c>nvidia-smi</c> for GPUs when <see cref="Gpus"/> is empty. Default true.</summary>
    public bool DetectGpus { get; set; } = true;

    /// <summary>The <c>nvidia-smi</c> executable. Default <c>nvidia-smi</c> (from PATH).</summary>
    public string NvidiaSmiPath { get; set; } = "nvidia-smi";

    /// <summary>How often the host looks for pools with waiting input and no container, and for idle containers. Default 5 s.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a pool queue must be empty and unused before it is deleted (if-empty, if-unused). Default 10 min.</summary>
    public TimeSpan QueueIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Where this host runs containers, whatever each function or class says: <c>Process</c> (a child process each) or
    /// <c>InProcess</c>. Default <c>Auto</c>: each function's or class's <c>Isolation</c>, which by default is a process
    /// for a pool with a GPU requirement and in process otherwise. For tests and operators (a host that must survive
    /// native crashes, or one that must start containers fastest).
    /// </summary>
    public ContainerIsolation Isolation { get; set; }

    /// <summary>Runs GPU functions and classes on CPU slots: the embedded mode, on a laptop without GPUs.</summary>
    internal bool IgnoreGpus { get; set; }

    /// <summary>Returns a message per invalid setting, naming its key.</summary>
    internal IEnumerable<string> Validate()
    {
        if (ExitGracePeriod <= TimeSpan.Zero)
        {
            yield return $"{Section}:ExitGracePeriod must be positive (got {ExitGracePeriod}).";
        }

        if (StuckAttemptGrace < TimeSpan.FromMilliseconds(100) || StuckAttemptGrace > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:StuckAttemptGrace must be between 100 ms and 10 min (got {StuckAttemptGrace}); it is how long code may run after its timeout or cancel before its container is replaced.";
        }

        if (!Enum.IsDefined(Isolation))
        {
            yield return $"{Section}:Isolation must be Auto, Process or InProcess (got {Isolation}).";
        }

        if (FunctionConcurrency < 1)
        {
            yield return $"{Section}:FunctionConcurrency must be at least 1 (got {FunctionConcurrency}).";
        }

        if (FunctionPrefetch is < 1 or > ushort.MaxValue)
        {
            yield return $"{Section}:FunctionPrefetch must be between 1 and {ushort.MaxValue} (got {FunctionPrefetch}).";
        }

        if (CpuSlots < 0)
        {
            yield return $"{Section}:CpuSlots must be 0 or more (got {CpuSlots}).";
        }

        if (ReconcileInterval < TimeSpan.FromMilliseconds(100))
        {
            yield return $"{Section}:ReconcileInterval must be at least 100 ms (got {ReconcileInterval}).";
        }

        if (QueueIdleTimeout < TimeSpan.FromSeconds(1))
        {
            yield return $"{Section}:QueueIdleTimeout must be at least 1 s (got {QueueIdleTimeout}).";
        }

        for (var i = 0; i < Gpus.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Gpus[i]))
            {
                yield return $"{Section}:Gpus:{i} is empty. Name each GPU by its model, one entry per GPU (for example \"NVIDIA H100 80GB HBM3\"), or remove {Section}:Gpus to let nvidia-smi find them.";
            }
        }
    }
}
