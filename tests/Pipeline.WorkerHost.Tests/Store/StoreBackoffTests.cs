using Pipeline.WorkerHost.Store;

namespace Pipeline.WorkerHost.Tests.Store;

public sealed class StoreBackoffTests
{
    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(5, 3200)]
    [InlineData(6, 5000)]
    [InlineData(1000, 5000)]
    public void Delay_WithoutSpread_DoublesFrom200MsUpTo5s(int attempt, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), StoreBackoff.Delay(attempt, 0.5));
    }

    [Theory]
    [InlineData(1, 0.0, 160)]
    [InlineData(1, 0.999999, 240)]
    [InlineData(3, 0.0, 640)]
    public void Delay_Spread_StaysWithin20Percent(int attempt, double random, int expectedMs)
    {
        Assert.Equal(expectedMs, StoreBackoff.Delay(attempt, random).TotalMilliseconds, 0.01);
    }

    [Fact]
    public void Delay_NeverExceedsTheCap_WhateverTheSpread()
    {
        Assert.Equal(StoreBackoff.Max, StoreBackoff.Delay(50, 0.999999));
    }
}
