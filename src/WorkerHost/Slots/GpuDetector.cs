using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.Slots;

/// <summary>Finds this host's GPUs by asking <c>nvidia-smi</c>; a host without one, or whose driver fails, has none.</summary>
internal static class GpuDetector
{
    /// <summary>How long <c>nvidia-smi</c> may take; a hung driver must not hold up the host's start.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    // ENOENT on Unix and ERROR_FILE_NOT_FOUND on Windows are both 2.
    private const int FileNotFound = 2;

    private const int MaxErrorLength = 300;

    /// <summary>
    /// Runs <c>nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits</c> and returns the GPUs in
    /// index order. Not found, a non-zero exit or no answer within <see cref="DefaultTimeout"/> gives an empty list and an
    /// Information log; only cancellation throws.
    /// </summary>
    public static Task<IReadOnlyList<GpuDevice>> DetectAsync(string nvidiaSmiPath, ILogger logger, CancellationToken cancellationToken) =>
        DetectAsync(nvidiaSmiPath, DefaultTimeout, logger, cancellationToken);

    /// <summary>As <see cref="DetectAsync(string, ILogger, CancellationToken)"/>, with a chosen timeout.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<IReadOnlyList<GpuDevice>> DetectAsync(
        string nvidiaSmiPath, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nvidiaSmiPath);
        ArgumentNullException.ThrowIfNull(logger);
        cancellationToken.ThrowIfCancellationRequested();

        var startInfo = new ProcessStartInfo(nvidiaSmiPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        startInfo.ArgumentList.Add("--query-gpu=index,name,memory.total");
        startInfo.ArgumentList.Add("--format=csv,noheader,nounits");

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex) when (ex.NativeErrorCode == FileNotFound)
        {
            SlotsLog.NvidiaSmiNotFound(logger, nvidiaSmiPath);
            return [];
        }
        catch (Win32Exception ex)
        {
            // Not executable, a directory, or similar: the host still runs, CPU only.
            SlotsLog.NvidiaSmiNotStarted(logger, nvidiaSmiPath, ex.Message);
            return [];
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);

        // Both pipes are drained while waiting: a child that fills one blocks and never exits.
        var stdout = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);

            // Killing closes the pipes, so the reads end; awaiting them keeps their cancellation observed.
            await Task.WhenAll((Task)stdout, stderr).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            SlotsLog.NvidiaSmiTimedOut(logger, timeout.TotalSeconds);
            return [];
        }

        var output = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            // nvidia-smi writes its own failures ("couldn't communicate with the NVIDIA driver") to stdout.
            var error = await stderr.ConfigureAwait(false);
            SlotsLog.NvidiaSmiFailed(logger, process.ExitCode, Shorten(string.IsNullOrWhiteSpace(error) ? output : error));
            return [];
        }

        var gpus = Parse(output, logger);
        SlotsLog.GpusDetected(
            logger,
            gpus.Count,
            gpus.Count == 0 ? "none" : string.Join("; ", gpus.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Index}: {g.Name} ({g.MemoryMiB} MiB)"))));
        return gpus;
    }

    /// <summary>
    /// Reads <c>nvidia-smi</c>'s CSV (<c>0, NVIDIA H100 80GB HBM3, 81559</c>) into devices in index order. Blank lines and
    /// extra spaces are fine; a malformed line, or a repeated index, is skipped with a warning.
    /// </summary>
    public static IReadOnlyList<GpuDevice> Parse(string output, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(logger);

        var gpus = new SortedList<int, GpuDevice>();
        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var (device, problem) = ParseLine(line);
            if (device is null)
            {
                SlotsLog.NvidiaSmiLineSkipped(logger, line, problem);
            }
            else if (!gpus.TryAdd(device.Index, device))
            {
                SlotsLog.NvidiaSmiLineSkipped(logger, line, "its index was already listed");
            }
        }

        return [.. gpus.Values];
    }

    private static (GpuDevice? Device, string Problem) ParseLine(string line)
    {
        var fields = line.Split(',', StringSplitOptions.TrimEntries);
        if (fields.Length < 3)
        {
            return (null, "expected \"index, name, memory MiB\"");
        }

        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return (null, "the index is not a whole number");
        }

        // Memory is last and the name is everything between, should a model name ever contain a comma.
        if (!long.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var memory))
        {
            return (null, "the memory is not a whole number of MiB");
        }

        var name = string.Join(", ", fields[1..^1]).Trim();
        return name.Length == 0 ? (null, "the name is empty") : (new GpuDevice(index, name, memory), "");
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own in the meantime.
        }
        catch (Win32Exception)
        {
            // It could not be killed; its pipes are abandoned with it.
        }
    }

    private static string Shorten(string text)
    {
        var oneLine = string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return oneLine.Length <= MaxErrorLength ? oneLine : string.Concat(oneLine.AsSpan(0, MaxErrorLength), "…");
    }
}
