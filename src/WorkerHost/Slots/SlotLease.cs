namespace Pipeline.WorkerHost.Slots;

/// <summary>
/// What <see cref="SlotInventory.TryAcquire"/> granted: one CPU slot, or the GPUs of the option that fitted. Give it back
/// with <see cref="SlotInventory.Release"/>; the inventory knows leases by reference, so a copy releases nothing.
/// </summary>
/// <param name="GpuIndices">The granted GPUs' indices, ascending; empty for a CPU slot.</param>
/// <param name="Option">The option of the requirement that matched; null for a CPU slot.</param>
internal sealed record SlotLease(IReadOnlyList<int> GpuIndices, GpuOption? Option)
{
    /// <summary>Whether this lease holds GPUs rather than a CPU slot.</summary>
    public bool IsGpu => GpuIndices.Count > 0;
}
