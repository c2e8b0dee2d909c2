using Pipeline.Consumers.Discovery;

namespace Pipeline.Consumers.Tests.Discovery;

/// <summary>The delay before each retry, as [Retries] documents it: min(InitialDelaySeconds * BackoffCoefficient^(n-1), MaxDelaySeconds).</summary>
public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 2.0)]
    [InlineData(3, 4.0)]
    [InlineData(7, 60.0)]
    public void DelayBefore_Coefficient2From1Second_DoublesEachRetryUpToTheMaximum(int retry, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), new RetryPolicy(10, 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)).DelayBefore(retry));

    [Fact]
    public void DelayBefore_FixedPolicy_IsOneSecondEveryTime() =>
        Assert.All(Enumerable.Range(1, 5), retry => Assert.Equal(TimeSpan.FromSeconds(1), RetryPolicy.Fixed(5).DelayBefore(retry)));

    [Fact]
    public void DelayBefore_NoInitialDelay_RetriesAtOnce() =>
        Assert.Equal(TimeSpan.Zero, new RetryPolicy(3, 2, TimeSpan.Zero, TimeSpan.FromSeconds(10)).DelayBefore(3));
}
