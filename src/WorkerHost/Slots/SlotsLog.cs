using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.Slots;

/// <summary>Log messages of slots and GPUs; event ids 2100-2199 (of WorkerHost's 2000-2999).</summary>
internal static partial class SlotsLog
{
    [LoggerMessage(2100, LogLevel.Information, "No GPUs: nvidia-smi not found at {Path}")]
    public static partial void NvidiaSmiNotFound(ILogger logger, string path);

    [LoggerMessage(2101, LogLevel.Information, "No GPUs: nvidia-smi at {Path} could not be started: {Reason}")]
    public static partial void NvidiaSmiNotStarted(ILogger logger, string path, string reason);

    [LoggerMessage(2102, LogLevel.Information, "No GPUs: nvidia-smi exited with code {ExitCode}: {Error}")]
    public static partial void NvidiaSmiFailed(ILogger logger, int exitCode, string error);

    [LoggerMessage(2103, LogLevel.Information, "No GPUs: nvidia-smi did not answer within {TimeoutSeconds} s")]
    public static partial void NvidiaSmiTimedOut(ILogger logger, double timeoutSeconds);

    [LoggerMessage(2104, LogLevel.Warning, "Skipped nvidia-smi line \"{Line}\": {Reason}")]
    public static partial void NvidiaSmiLineSkipped(ILogger logger, string line, string reason);

    [LoggerMessage(2105, LogLevel.Information, "Detected {Count} GPU(s): {Gpus}")]
    public static partial void GpusDetected(ILogger logger, int count, string gpus);

    [LoggerMessage(2106, LogLevel.Warning, "Gpu \"{Spec}\": {Type} is not a GPU type Modal documents; it is matched against device names as written")]
    public static partial void UnknownGpuType(ILogger logger, string spec, string type);

    [LoggerMessage(2107, LogLevel.Warning, "CUDA_VISIBLE_DEVICES=\"{Visible}\": \"{Entry}\" is not a GPU index, so the list ends there (as in CUDA); name GPUs by their nvidia-smi index")]
    public static partial void VisibleDevicesCut(ILogger logger, string visible, string entry);

    [LoggerMessage(2108, LogLevel.Warning, "CUDA_VISIBLE_DEVICES=\"{Visible}\": GPU {Index} is not on this host or is named twice; skipped")]
    public static partial void VisibleDeviceSkipped(ILogger logger, string visible, int index);

    [LoggerMessage(2109, LogLevel.Information, "CUDA_VISIBLE_DEVICES=\"{Visible}\": this host owns {Kept} of the {All} GPU(s) it has")]
    public static partial void VisibleDevices(ILogger logger, string visible, int kept, int all);
}
