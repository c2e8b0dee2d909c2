using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost.Slots;

/// <summary>
/// Applies a <c>CUDA_VISIBLE_DEVICES</c> already set on the host: a host started with <c>CUDA_VISIBLE_DEVICES=2,3</c>
/// owns GPUs 2 and 3 only, so two hosts (or a host and another program) can share a machine. <c>nvidia-smi</c> lists
/// every GPU whatever the variable says, hence this filter.
/// </summary>
internal static class GpuVisibility
{
    /// <summary>The variable CUDA reads, and that the host sets for each process container.</summary>
    public const string Variable = "CUDA_VISIBLE_DEVICES";

    /// <summary>
    /// The devices <paramref name="visible"/> names, in its order (CUDA numbers them 0, 1, ... in that order), keeping
    /// their host indices. Null (unset) keeps every device; empty hides them all, as CUDA does. As in CUDA, the list
    /// ends at the first entry that is not a device index (a UUID or MIG name, or <c>-1</c>), with a warning; an index
    /// the host lacks, or one named twice, is skipped with a warning.
    /// </summary>
    public static IReadOnlyList<GpuDevice> Apply(IReadOnlyList<GpuDevice> devices, string? visible, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(logger);
        if (visible is null)
        {
            return devices;
        }

        var kept = new List<GpuDevice>();
        foreach (var entry in visible.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                SlotsLog.VisibleDevicesCut(logger, visible, entry);
                break;
            }

            if (devices.FirstOrDefault(d => d.Index == index) is not { } device || kept.Contains(device))
            {
                SlotsLog.VisibleDeviceSkipped(logger, visible, index);
                continue;
            }

            kept.Add(device);
        }

        SlotsLog.VisibleDevices(logger, visible, kept.Count, devices.Count);
        return kept;
    }
}
