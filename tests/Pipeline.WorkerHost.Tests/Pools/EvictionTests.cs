using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Tests.Pools;

/// <summary>
/// Slot starvation between pools: a pool with backlog and no container here gets a slot from an idle container of the
/// pool holding the most slots, and no pool grows a second container while another waits for its first.
/// </summary>
public sealed class EvictionTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void ToEvict_ScaledPoolWithAnIdleContainerAndAnIdleSinglePool_TakesTheScaledPoolsContainer()
    {
        // A one-container pool idle for long, and a pool of three (one idle a moment): the scaled pool gives one back.
        var chosen = PoolScaling.ToEvict(
        [
            new(PoolSlots: 1, LeaseSlot: 0, Min: 0, Idle: true, IdleFor: 300 * Second, Fits: true),
            new(PoolSlots: 3, LeaseSlot: 0, Min: 0, Idle: false, IdleFor: Second, Fits: true),
            new(PoolSlots: 3, LeaseSlot: 1, Min: 0, Idle: true, IdleFor: 2 * Second, Fits: true),
            new(PoolSlots: 3, LeaseSlot: 2, Min: 0, Idle: false, IdleFor: Second, Fits: true),
        ]);

        Assert.Equal(2, chosen);
    }

    [Fact]
    public void ToEvict_SeveralIdleInTheBiggestPool_TakesTheLongestIdle()
    {
        var chosen = PoolScaling.ToEvict(
        [
            new(PoolSlots: 2, LeaseSlot: 0, Min: 0, Idle: true, IdleFor: 5 * Second, Fits: true),
            new(PoolSlots: 2, LeaseSlot: 1, Min: 0, Idle: true, IdleFor: 50 * Second, Fits: true),
        ]);

        Assert.Equal(1, chosen);
    }

    [Fact]
    public void ToEvict_IdleContainersWarmBusyOrOfTheOtherKind_NoneGoes()
    {
        var chosen = PoolScaling.ToEvict(
        [
            new(PoolSlots: 4, LeaseSlot: 0, Min: 2, Idle: true, IdleFor: 300 * Second, Fits: true),
            new(PoolSlots: 4, LeaseSlot: 1, Min: 2, Idle: true, IdleFor: 300 * Second, Fits: true),
            new(PoolSlots: 4, LeaseSlot: 2, Min: 2, Idle: false, IdleFor: Second, Fits: true),
            new(PoolSlots: 4, LeaseSlot: 3, Min: 2, Idle: true, IdleFor: 300 * Second, Fits: false),
        ]);

        Assert.Null(chosen);
    }

    [Fact]
    public void ToEvict_WarmContainersOfTheBiggestPool_TakesAnIdleOneOfASmallerPool()
    {
        var chosen = PoolScaling.ToEvict(
        [
            new(PoolSlots: 4, LeaseSlot: 0, Min: 4, Idle: true, IdleFor: 300 * Second, Fits: true),
            new(PoolSlots: 1, LeaseSlot: 3, Min: 0, Idle: true, IdleFor: Second, Fits: true),
        ]);

        Assert.Equal(1, chosen);
    }

    [Fact]
    public void ToEvict_NoContainers_None() => Assert.Null(PoolScaling.ToEvict([]));

    [Theory]
    [InlineData(0, 0, false, true)]
    [InlineData(1, 0, false, false)]
    [InlineData(0, 3, false, false)]
    [InlineData(0, 3, true, true)]
    [InlineData(1, 0, true, false)]
    public void IsIdle_NothingRunningAndNoInputOfItsPoolWaitingHere_OnlyThenIdle(int running, int poolWaiting, bool ownConsumer, bool expected) =>
        Assert.Equal(expected, PoolScaling.IsIdle(running, poolWaiting, ownConsumer));

    [Theory]
    [InlineData(false, new bool[0], true)]
    [InlineData(false, new[] { false }, false)]
    [InlineData(true, new[] { false }, true)]
    [InlineData(true, new[] { false, true }, false)]
    public void MayGrow_PoolsWaitingForAFirstContainer_NoSecondContainerOfTheSameKind(bool wantsGpu, bool[] waiting, bool expected) =>
        Assert.Equal(expected, PoolScaling.MayGrow(wantsGpu, waiting));
}
