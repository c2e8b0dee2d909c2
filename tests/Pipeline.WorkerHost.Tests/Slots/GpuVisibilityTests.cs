using Microsoft.Extensions.Logging;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Tests.Slots;

public sealed class GpuVisibilityTests
{
    private static readonly IReadOnlyList<GpuDevice> FourGpus =
    [
        new(0, "NVIDIA H100 80GB HBM3", 81559),
        new(1, "NVIDIA H100 80GB HBM3", 81559),
        new(2, "NVIDIA A100-SXM4-40GB", 40960),
        new(3, "NVIDIA A100-SXM4-40GB", 40960),
    ];

    [Fact]
    public void Apply_Unset_KeepsEveryDevice()
    {
        Assert.Same(FourGpus, GpuVisibility.Apply(FourGpus, null, new ListLogger()));
    }

    [Fact]
    public void Apply_TwoIndices_OwnsOnlyThoseWithTheirHostIndicesModelAndMemory()
    {
        var logger = new ListLogger();

        var owned = GpuVisibility.Apply(FourGpus, "2,3", logger);

        Assert.Equal([FourGpus[2], FourGpus[3]], owned);
        Assert.Contains(logger.Entries, e => e.EventId.Id == 2109 && e.Message.Contains("owns 2 of the 4", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_Empty_HidesEveryDeviceAsCudaDoes()
    {
        Assert.Empty(GpuVisibility.Apply(FourGpus, "", new ListLogger()));
    }

    [Theory]
    [InlineData("1,GPU-8f3c2d1e,3")]
    [InlineData("1,-1,3")]
    public void Apply_EntryThatIsNoIndex_EndsTheListThereWithAWarning(string visible)
    {
        var logger = new ListLogger();

        var owned = GpuVisibility.Apply(FourGpus, visible, logger);

        Assert.Equal([FourGpus[1]], owned);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.EventId.Id == 2107);
    }

    [Fact]
    public void Apply_IndexTheHostLacksOrRepeated_SkippedWithAWarning()
    {
        var logger = new ListLogger();

        var owned = GpuVisibility.Apply(FourGpus, " 3, 7, 3 ,0", logger);

        Assert.Equal([FourGpus[3], FourGpus[0]], owned);
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Warning && e.EventId.Id == 2108));
    }
}
