namespace Pipeline;

/// <summary>Where a function's or class's containers run on a worker host.</summary>
public enum ContainerIsolation
{
    /// <summary>
    /// The host decides: a process of its own for a pool that needs a GPU, inside the host's process otherwise.
    /// The default.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// A child process of the worker host, with its own broker connection and <c>CUDA_VISIBLE_DEVICES</c> set to the
    /// container's GPUs. A crash stays inside it, and the host can kill it (a stuck attempt, a terminating cancel).
    /// Starts slower and costs a runtime's memory.
    /// </summary>
    Process = 1,

    /// <summary>
    /// Inside the worker host's process: starts fastest and costs least, but a native crash takes the host down and a
    /// stuck thread cannot be stopped (the container is replaced and the thread reported).
    /// </summary>
    InProcess = 2,
}
