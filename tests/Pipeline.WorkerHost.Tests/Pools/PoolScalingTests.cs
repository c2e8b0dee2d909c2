using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Tests.Pools;

/// <summary>The autoscaler's arithmetic: containers wanted for the work, and which idle ones stop.</summary>
public sealed class PoolScalingTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(0, 0, 0, 1, 0, 4, 0, 0)]
    [InlineData(1, 3, 0, 1, 0, 4, 0, 4)]
    [InlineData(1, 0, 10, 1, 0, 4, 0, 4)]
    [InlineData(1, 0, 10, 1, 0, 8, 2, 2)]
    [InlineData(24, 0, 0, 24, 0, 8, 0, 1)]
    [InlineData(25, 0, 0, 24, 0, 8, 0, 2)]
    [InlineData(1, 0, 0, 1, 2, 8, 0, 3)]
    [InlineData(0, 0, 0, 1, 2, 8, 0, 0)]
    public void Wanted_WorkTargetBufferAndLimits_OneContainerPerTargetPlusBufferWithinLimits(
        int inFlight, int waiting, long ready, int target, int buffer, int capacity, int max, int expected) =>
        Assert.Equal(expected, PoolScaling.Wanted(inFlight, waiting, ready, target, buffer, capacity, max));

    [Fact]
    public void ToStop_IdlePastWindow_StopsThoseNotWarm()
    {
        var stop = PoolScaling.ToStop([(0, Window), (1, Window), (2, Window), (3, TimeSpan.FromSeconds(5))], Window, min: 2, buffer: 0, busy: false);

        Assert.Equal([2], stop);
    }

    [Fact]
    public void ToStop_BusyPoolWithBuffer_KeepsTheMostRecentlyActiveIdleOnes()
    {
        var stop = PoolScaling.ToStop([(5, TimeSpan.FromSeconds(90)), (6, TimeSpan.FromSeconds(70)), (7, TimeSpan.FromSeconds(300))], Window, min: 0, buffer: 1, busy: true);

        Assert.Equal([0, 2], stop.Order());
    }

    [Fact]
    public void ToStop_IdlePoolWithBuffer_BufferOnlyHoldsWhileBusy()
    {
        var stop = PoolScaling.ToStop([(0, Window), (1, Window)], Window, min: 0, buffer: 2, busy: false);

        Assert.Equal([0, 1], stop.Order());
    }

    [Fact]
    public void ToStop_WarmOrInsideWindowCountTowardTheBuffer()
    {
        var stop = PoolScaling.ToStop([(0, Window), (4, Window)], Window, min: 1, buffer: 1, busy: true);

        Assert.Equal([1], stop);
    }
}
